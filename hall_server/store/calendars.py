"""Operator holiday files as loaded, shared by every server process through the database."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, delete, insert, select

from hall_server.store import models as m


class StoredYear(NamedTuple):
    year: int
    source: str
    loaded_at: datetime


def store_year(conn: Connection, year: int, text: str, now: datetime) -> None:
    """Keep ``text`` as the holiday file of ``year``, replacing an earlier one."""
    conn.execute(delete(m.calendar_years).where(m.calendar_years.c.year == year))
    conn.execute(insert(m.calendar_years).values(year=year, source=text, loaded_at=now))


def stored_years(conn: Connection) -> list[StoredYear]:
    table = m.calendar_years
    rows = conn.execute(select(table.c.year, table.c.source, table.c.loaded_at).order_by(table.c.year))
    return [StoredYear(row.year, row.source, row.loaded_at) for row in rows]


def latest_load(conn: Connection) -> datetime | None:
    """When a file was last loaded, so each process knows when to rebuild its calendar."""
    row = conn.execute(select(m.calendar_years.c.loaded_at).order_by(m.calendar_years.c.loaded_at.desc())
                       .limit(1)).first()
    return None if row is None else row[0]
