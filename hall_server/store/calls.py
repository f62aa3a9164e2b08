"""What the calling screens read of a site's day: recent calls, people waiting, windows' tickets."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Connection, func, select

from hall_server.store import models as m

T = m.tickets


class Called(NamedTuple):
    """A ticket as a calling screen shows it: the number and where it was called, never whose it is."""

    number: str
    counter: str
    called_at: datetime


def recent_calls(conn: Connection, site: str, day: date, limit: int) -> list[Called]:
    """The day's latest calls, newest first (a recall moves a ticket up: its ``called_at`` is renewed)."""
    rows = conn.execute(
        select(T.c.number, T.c.counter, T.c.called_at)
        .where(T.c.site == site, T.c.day == day, T.c.called_at.is_not(None), T.c.counter.is_not(None))
        .order_by(T.c.called_at.desc(), T.c.number.desc())
        .limit(limit)
    )
    return [Called(*row) for row in rows]


def waiting_counts(conn: Connection, site: str, day: date) -> dict[str, int]:
    rows = conn.execute(
        select(T.c.queue, func.count())
        .where(T.c.site == site, T.c.day == day, T.c.status == "waiting")
        .group_by(T.c.queue)
    )
    return {queue: int(count) for queue, count in rows}


def tickets_at_counters(conn: Connection, site: str, day: date) -> dict[str, str]:
    """counter → the number called or being served there now."""
    rows = conn.execute(
        select(T.c.counter, T.c.number)
        .where(T.c.site == site, T.c.day == day, T.c.status.in_(("called", "serving")))
        .order_by(T.c.called_at)
    )
    return {counter: number for counter, number in rows if counter is not None}
