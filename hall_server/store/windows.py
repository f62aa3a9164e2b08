"""Windows' live state: the clerk signed in at each window, paused or not, since when (``window_states``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hall_server.store import models as m

W = m.window_states


class WindowState(NamedTuple):
    """A row of ``window_states``."""

    site: str
    number: str
    clerk: str | None
    paused: int
    pause_reason: str | None
    since: datetime | None


def _ensure_row(conn: Connection, site: str, number: str) -> None:
    dialect_insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(dialect_insert(W).values(site=site, number=number, paused=0).on_conflict_do_nothing())


def locked(conn: Connection, site: str, number: str, *, create: bool = False) -> WindowState | None:
    """The window's row (created first when ``create``), locked until the transaction ends.

    Every write that depends on a window's state (a call, a sign-in) goes through this lock, so two
    requests for one window run one after the other on PostgreSQL; SQLite's single writer already does.
    """
    if create:
        _ensure_row(conn, site, number)
    row = conn.execute(select(W).where(W.c.site == site, W.c.number == number).with_for_update()).first()
    return None if row is None else WindowState(*row)


def get(conn: Connection, site: str, number: str) -> WindowState | None:
    row = conn.execute(select(W).where(W.c.site == site, W.c.number == number)).first()
    return None if row is None else WindowState(*row)


def of_site(conn: Connection, site: str) -> dict[str, WindowState]:
    return {row.number: WindowState(*row) for row in conn.execute(select(W).where(W.c.site == site))}


def of_clerk(conn: Connection, clerk: str) -> WindowState | None:
    row = conn.execute(select(W).where(W.c.clerk == clerk)).first()
    return None if row is None else WindowState(*row)


def staffed(conn: Connection, site: str) -> list[tuple[str, bool]]:
    """(number, paused) of each window of ``site`` with a clerk signed in."""
    rows = conn.execute(select(W.c.number, W.c.paused).where(W.c.site == site, W.c.clerk.is_not(None)))
    return [(number, bool(paused)) for number, paused in rows]


def set_state(conn: Connection, site: str, number: str, **values: Any) -> None:
    conn.execute(update(W).where(W.c.site == site, W.c.number == number).values(**values))
