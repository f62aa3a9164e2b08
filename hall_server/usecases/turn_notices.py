"""Telling a citizen their turn is near: when a ticket has N people ahead (site setting
``notice_people_ahead``), the hall's notifier is called once for it, if its holder gave a phone (a
booking's optional phone; walk-in tickets have none)."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from datetime import date, datetime
from functools import partial

import anyio.to_thread
from sqlalchemy import Connection, exists, insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from hall_server.domain.sites import packaged_site_codes
from hall_server.notices.notifier import TurnNotice, TurnNotifier
from hall_server.state.floor_bus import FeedClosed, FloorEvent
from hall_server.state.hall_state import HallState
from hall_server.store import bookings, tickets
from hall_server.store import models as m
from hall_server.usecases.counters import site_queues
from hall_server.usecases.sites import known_site
from hall_server.usecases.tickets import ordered_waiting, tracking_url

log = logging.getLogger(__name__)
# What moves people up a line (or puts a ticket ahead of them).
MOVES = frozenset({"called", "no_show", "transferred", "waiting_changed", "parked"})


def _record(conn: Connection, ticket_id: str, site: str, ahead: int, now: datetime) -> bool:
    """Mark the ticket notified; False when it was already (here or by another node)."""
    n = m.ticket_notices
    if conn.execute(select(n.c.ticket_id).where(n.c.ticket_id == ticket_id)).first() is not None:
        return False
    try:
        with conn.begin_nested():
            conn.execute(insert(n).values(ticket_id=ticket_id, site=site, people_ahead=ahead, sent_at=now))
    except IntegrityError:
        return False
    return True


def _with_phones_waiting(conn: Connection, site: str, day: date, queues: set[str]) -> set[str]:
    """Of ``queues``, those where a ticket waits whose booking gave a phone and has had no notice yet: the
    only lines worth ordering (one statement; ordering a line of hundreds on every move was a tenth of
    a busy hall's ticket issue)."""
    t, b, n = m.tickets, m.bookings, m.ticket_notices
    query = (
        select(t.c.queue).distinct().join(b, b.c.id == t.c.booking_id)
        .where(t.c.site == site, t.c.day == day, t.c.queue.in_(sorted(queues)), t.c.status == "waiting",
               b.c.phone.is_not(None), b.c.phone != "", ~exists().where(n.c.ticket_id == t.c.id))
    )
    return {str(queue) for queue in conn.execute(query).scalars()}


def due_notices(hall: HallState, site: str, queues: set[str]) -> list[TurnNotice]:
    """Notices due now in ``queues`` of ``site``, each recorded as sent (the caller sends them)."""
    limit = known_site(site).settings.notice_people_ahead
    now = hall.now()
    day = hall.calendars.site(site).local(now).date()
    due: list[TurnNotice] = []
    with hall.db.read() as conn:
        queues = _with_phones_waiting(conn, site, day, queues)
    if not queues:  # most moves: nobody who gave a phone waits, no line needs ordering
        return due
    with hall.db.write() as conn:
        for queue in sorted(queues):
            order = ordered_waiting(conn, hall, site, day, queue, now)
            for ahead, waiting in enumerate(order[: limit + 1]):
                row = tickets.get(conn, waiting.id)
                if row is None or row.booking_id is None:
                    continue
                booking = bookings.get(conn, row.booking_id)
                if booking is None or not booking.phone or not _record(conn, row.id, site, ahead, now):
                    continue
                due.append(TurnNotice(site=site, ticket=row.number, people_ahead=ahead, phone=booking.phone,
                                      tracking_url=tracking_url(hall, "", row.id)))
    return due


def send_notices(notifier: TurnNotifier, notices: list[TurnNotice]) -> int:
    """Hand recorded notices to the gateway; returns how many went out."""
    for notice in notices:
        try:
            notifier.notify(notice)
        except Exception:  # a gateway's failure must not stop the watcher; the notice is not resent
            log.warning("turn notice for ticket %s could not be sent", notice.ticket, exc_info=True)
    return len(notices)


async def _watch_site(hall: HallState, notifier: TurnNotifier, site: str) -> None:
    queues = site_queues(site)
    while True:
        # Each node looks at the moves made through it: the line is read once per move, not once per node.
        async with hall.floor.subscribe(site, own_only=True) as feed:
            while True:
                try:
                    event: FloorEvent = await feed.get()
                except FeedClosed:
                    break
                # The moves that came meanwhile are looked at together: the lines are read once for
                # them all, not once per ticket issued (while one look ran, a busy hall issued dozens).
                moves = [e for e in (event, *feed.ready()) if e.kind in MOVES]
                if not moves:
                    continue
                moved: set[str] = set()
                for move in moves:
                    moved |= {move.queue} if move.queue in queues else queues
                try:
                    due = await hall.in_writer(partial(due_notices, hall, site, moved))
                except SQLAlchemyError:
                    log.warning("turn notices of %s failed; next move retries", site, exc_info=True)
                    continue
                # Off the loop (where PostgreSQL's writes run): a gateway should return at once, but
                # one that does not must hold up this watcher only, never the hall's requests. Most
                # moves have no notice due: no thread for them.
                if due:
                    await anyio.to_thread.run_sync(send_notices, notifier, due)


async def watch_turns(hall: HallState, notifier: TurnNotifier) -> None:
    """Follow every site's floor and send turn notices as lines move (runs for the app's life)."""
    if not notifier.available:
        return
    tasks = [asyncio.create_task(_watch_site(hall, notifier, site)) for site in packaged_site_codes()]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
