"""A throw-away PostgreSQL database made beside a given one, for the tests and the load measurement."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


@contextmanager
def scratch_database(url: str, tag: str = "", template: str | None = None) -> Iterator[str]:
    """Create a database on the server of ``url``, empty or a copy of database ``template`` (which nobody
    may be connected to meanwhile); yields its URL and drops it (forcing) on exit."""
    base = make_url(url)
    name = f"{base.database}_{tag}{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
