"""Bookings whose check-in window closed unused: each a no-show with its ``booking_missed`` event, once.

Where: a sweep of the hall server every minute (``app.py``), and before a person's own bookings are judged
(booking again, listing them), which need the no-shows now for the suspension rule. Not at the statistics'
read time: a report only reads, and a figure must not depend on whether someone looked. Exactly once: the
event is written in the transaction of the conditional ``booked → no_show`` update and only when that update
changed the row, so the sweep, a person's own request and a second server can race without doubling it.
The event is dated when the check-in window closed (slot start + ``check_in_late_minutes``), not when a
sweep saw it, so its day and hour do not depend on the sweep's timing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection

from hall_server.state.hall_state import HallState
from hall_server.store import bookings
from hall_server.usecases.event_log import booking_event
from hall_server.usecases.sites import site_profile

# A booking of a site no longer packaged keeps the default window.
_DEFAULT_LATE = timedelta(minutes=15)


def _late(site: str) -> timedelta:
    try:
        return timedelta(minutes=site_profile(site).settings.check_in_late_minutes)
    except KeyError:
        return _DEFAULT_LATE


def mark_missed(conn: Connection, now: datetime, *, site: str | None = None,
                person: str | None = None) -> int:
    """Mark missed the bookings (of ``site``, of ``person``) whose check-in window closed by ``now``; how many
    this call marked."""
    marked = 0
    while True:
        rows = bookings.booked_started_before(conn, now, site=site, id_number=person)
        closed = [(row, row.start + _late(row.site)) for row in rows]
        due = [(row, at) for row, at in closed if at <= now]
        for row, at in due:
            if bookings.set_status(conn, row.id, ("booked",), status="no_show"):
                booking_event(conn, "booking_missed", row, at)
                marked += 1
        # A page of bookings still inside their window (started, not yet closed) ends the pass too.
        if len(rows) < 500 or not due:
            return marked


def sweep_missed(hall: HallState) -> int:
    """Every site's bookings missed by now (the periodic sweep)."""
    with hall.db.write() as conn:
        return mark_missed(conn, hall.now())
