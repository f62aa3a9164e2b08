"""Tickets: issuing a walk-in one, and describing any (place in line, estimated wait) by the queue rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection

from hall_server.domain.booking import check_in_window
from hall_server.domain.queue import (
    Priority,
    WaitingTicket,
    count_ahead,
    estimated_wait_s,
    order_waiting,
    plain_go_before,
    ticket_number,
)
from hall_server.state.floor_bus import FloorEvent
from hall_server.state.hall_state import HallState
from hall_server.store import tickets, windows
from hall_server.store.database import after_commit
from hall_server.usecases.caller import Caller
from hall_server.usecases.catalogue import (
    ServiceEntry,
    offered_entry,
    refuse_switched_off,
    require_service,
)
from hall_server.usecases.creating import Create, Created
from hall_server.usecases.event_log import ticket_event_row
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import known_site

OptionalPriority = Priority | None


def _waiting_tickets(hall: HallState, site: str, rows: list[tickets.WaitingRow]) -> list[WaitingTicket]:
    """The rows as ordering needs them, each converted once per process (``WaitingTicketCache``)."""
    cache = hall.waiting_tickets
    known = cache.known
    out = []
    for row in rows:
        found = known((site, row))
        out.append(found if found is not None else cache.get((site, row), partial(_converted, site, row)))
    return out


def _converted(site: str, row: tickets.WaitingRow) -> WaitingTicket:
    settings = known_site(site).settings
    slot_start = row.slot_start
    return WaitingTicket(
        id=row.id,
        seq=row.seq,
        issued_at=tickets.instant(row.issued_at),
        priority=cast(OptionalPriority, row.priority),
        booking_window=check_in_window(tickets.instant(slot_start), settings) if slot_start else None,
    )


def wait_cap(site: str) -> timedelta:
    """How long a ticket may be passed over (the site's ``queue_wait_cap_minutes``)."""
    return timedelta(minutes=known_site(site).settings.queue_wait_cap_minutes)


def waiting_tickets(
    conn: Connection, hall: HallState, site: str, day: date, queue: str
) -> list[WaitingTicket]:
    """A queue's waiting tickets as ordering needs them, in no particular order."""
    return _waiting_tickets(hall, site, tickets.waiting_for_order(conn, site, day, queue))


def ordered_waiting(
    conn: Connection, hall: HallState, site: str, day: date, queue: str, now: datetime
) -> list[WaitingTicket]:
    return order_waiting(waiting_tickets(conn, hall, site, day, queue), now, wait_cap(site))


def ordered_for_window(
    conn: Connection, hall: HallState, site: str, day: date, window: str, now: datetime
) -> list[WaitingTicket]:
    """The tickets transferred to one window, in the order it calls them (before its queues)."""
    items = _waiting_tickets(hall, site, tickets.waiting_for_window(conn, site, day, window))
    return order_waiting(items, now, wait_cap(site))


def counters_open(conn: Connection, hall: HallState, site: str, queue: str, now: datetime) -> int:
    """How many windows serve ``queue`` now, for the estimated wait.

    Once any clerk of the site has signed in at a window, the hall uses window sign-in, and the truth is
    the windows signed in, not paused, whose queues include this one (0 is honest: nobody serves it now,
    and the estimate assumes one). With nobody signed in anywhere (the demo, a hall whose clerks do not
    sign in yet) the session's planned ``counters`` for the queue stand in, as before windows existed.
    """
    return counters_serving(hall, site, queue, now, windows.staffed(conn, site))


def counters_serving(
    hall: HallState, site: str, queue: str, now: datetime, staffed: list[tuple[str, bool]]
) -> int:
    """``counters_open`` from the (number, paused) of the windows with a clerk signed in, read already."""
    if staffed:
        plan = known_site(site)
        return sum(1 for number, paused in staffed
                   if not paused and (w := plan.window(number)) is not None and queue in w.queues)
    cal = hall.calendars.site(site)
    day_plan = cal.day_plan(cal.local(now).date())
    current = [s for s in day_plan.staffed_sessions if s.start <= now < s.end]
    return max((s.rule.counters_for(queue) for s in current), default=0)


def announce_waiting(conn: Connection, hall: HallState, row: tickets.Ticket) -> None:
    """Tell the floor, once committed, that a queue's line grew (the calling screens' waiting counts)."""
    event = FloorEvent(kind="waiting_changed", site=row.site, at=row.issued_at, ticket_id=row.id,
                       ticket=row.number, queue=row.queue)
    after_commit(conn, lambda: hall.floor.publish(event))


def tracking_url(hall: HallState, base_url: str, ticket_id: str) -> str:
    base = (hall.settings.public_base_url or base_url).rstrip("/")
    return f"{base}/t/{ticket_id}"


class Place(NamedTuple):
    """A waiting ticket's place: the people called before it and the estimated wait."""

    people_ahead: int
    estimated_wait_s: int


def place_now(conn: Connection, hall: HallState, row: tickets.Ticket, now: datetime) -> Place:
    """The place of a waiting ticket in its line (or, sent to one window, in that window's line) now."""
    site = row.site
    if row.for_window:  # sent to one window: its own short line, served by that window alone
        order = ordered_for_window(conn, hall, site, row.day, row.for_window, now)
        counters = 1
    else:
        order = ordered_waiting(conn, hall, site, row.day, row.queue, now)
        counters = counters_open(conn, hall, site, row.queue, now)
    people_ahead = next((i for i, t in enumerate(order) if t.id == row.id), 0)
    recent = tickets.recent_service_seconds(conn, site, row.day, row.queue)
    default_s = known_site(site).settings.default_service_seconds
    return Place(people_ahead, estimated_wait_s(people_ahead, counters, recent, default_s))


def describe(
    conn: Connection, hall: HallState, row: tickets.Ticket, now: datetime, lang: str, base_url: str,
    place: Place | None = None,
) -> dict[str, Any]:
    """The ticket as docs/api.md shows it, with its place in the line computed now (or ``place``, counted
    as the ticket was issued)."""
    site = row.site
    entry = offered_entry(hall, row.service)
    people_ahead = 0
    wait = 0
    if row.status == "waiting":
        people_ahead, wait = place if place is not None else place_now(conn, hall, row, now)
    tz = known_site(site).tz
    return {
        "id": row.id,
        "number": row.number,
        "queue": row.queue,
        "service": {"code": row.service, "name": entry.name(lang) if entry else row.service},
        "site": site,
        "status": row.status,
        "priority": row.priority,
        "booking_id": row.booking_id,
        "issued_at": row.issued_at.astimezone(tz).isoformat(),
        "people_ahead": people_ahead,
        "estimated_wait_s": wait,
        "tracking_url": tracking_url(hall, base_url, row.id),
        "counter": row.counter,
        "where": entry.where(lang) if entry else None,
        "transferred_to": row.transferred_to,
    }


class Issued(NamedTuple):
    """A new ticket and its place in its line as it was numbered."""

    ticket: tickets.Ticket
    place: Place


def issue(
    conn: Connection,
    hall: HallState,
    *,
    site: str,
    entry: ServiceEntry,
    now: datetime,
    priority: str | None = None,
    booking_id: str | None = None,
    slot_start: datetime | None = None,
    queue: str | None = None,
) -> Issued:
    """Number and store a new waiting ticket (inside the caller's write transaction) and count its place;
    a ticket in a queue other than its service's own is a transfer's.

    The number's counter row stays locked until the transaction commits (no number is ever skipped, even
    when the transaction rolls back), so the line is read before the number is taken (on PostgreSQL in
    the same statement, ``store.tickets.issue_into_line``) and the place is counted after: counting it
    over a long line inside that lock held every other ticket of the queue back (about 260 tickets/s and
    a p99 of seconds on PostgreSQL). The line is read as of the last number given (one statement, one
    snapshot); the tickets numbered between that read and ours have all committed once we hold the row,
    and are read after it. Of the line, the plain tickets (most of it, ``domain.queue.is_plain``) are
    only counted, by the database; the others are few.
    """
    cal = hall.calendars.site(site)
    day = cal.local(now).date()
    origin = "transfer" if queue else ("booking" if booking_id else "walk_in")
    queue = queue or entry.queue
    settings = known_site(site).settings
    cap = wait_cap(site)
    draft = tickets.Ticket(
        id=tickets.new_ticket_id(), site=site, queue=queue, day=day, seq=0, number="", service=entry.code,
        priority=priority, booking_id=booking_id, slot_start=slot_start, status="waiting", counter=None,
        issued_at=now, called_at=None, started_at=None, finished_at=None, transferred_to=None,
    )
    event = ticket_event_row(conn, "ticket_issued", draft, now, related=booking_id, detail=origin)
    view, row, meanwhile = tickets.issue_into_line(conn, draft, event, now, cap,
                                                   partial(ticket_number, queue))
    mine = WaitingTicket(
        id=row.id, seq=row.seq, issued_at=now, priority=cast(OptionalPriority, priority),
        booking_window=check_in_window(slot_start, settings) if slot_start else None,
    )
    ahead = (view.plain if plain_go_before(mine, now, cap) else 0) + count_ahead(
        _waiting_tickets(hall, site, view.line + meanwhile), mine, now, cap)
    counters = counters_serving(hall, site, queue, now, view.staffed)
    wait = estimated_wait_s(ahead, counters, view.recent_service_s, settings.default_service_seconds)
    return Issued(row, Place(ahead, wait))


def walk_in_ticket(
    hall: HallState, caller: Caller, *, site: str | None, service: str, priority: Priority | None,
    lang: str, base_url: str,
) -> Create:
    """A walk-in ticket for a service; refused ``queue_closed`` outside sessions or after the walk-in stop,
    ``service_not_offered`` (409) when the current session does not handle it."""
    where = caller.site_of_request(site)
    entry = require_service(service)
    refuse_switched_off(hall, entry.code)

    def create(conn: Connection) -> Created:
        now = hall.now()
        open_now, next_open, session = hall.calendars.walk_in_at(where, now)
        next_text = next_open.isoformat() if next_open else None
        if not open_now or session is None:
            raise Refusal("queue_closed", "no walk-in tickets now", extra={"next_open": next_text})
        rule = session.rule
        if not rule.offers(entry.code, entry.department) or rule.counters_for(entry.queue) == 0:
            raise Refusal("service_not_offered", "the service is not handled in the current session",
                          extra={"next_open": next_text}, status_hint=409)
        row, place = issue(conn, hall, site=where, entry=entry, now=now, priority=priority)
        announce_waiting(conn, hall, row)
        return 201, describe(conn, hall, row, now, lang, base_url, place)

    return create


def answer_again(hall: HallState, lang: str, base_url: str) -> Callable[[Connection, str], Created]:
    """The answer to a repeated ``POST /tickets`` whose first answer was not stored (its request still
    running, or its node lost after the ticket was made): the ticket as ``walk_in_ticket`` describes it,
    its place counted now."""

    def again(conn: Connection, ticket_id: str) -> Created:
        row = tickets.get(conn, ticket_id)
        if row is None:  # erased since (the data kept has its limits)
            raise Refusal("ticket_not_found", "no such ticket")
        return 201, describe(conn, hall, row, hall.now(), lang, base_url)

    return again


def ticket_answer(hall: HallState, ticket_id: str, now: datetime, lang: str, base_url: str) -> dict[str, Any]:
    """A ticket by its id as anyone holding the id sees it (docs/api.md); Refusal ``ticket_not_found``.

    Without the priority class (a disability or a pregnancy is nobody's business) and the booking id
    (it would lead to the booking): the kiosk has both from the answer that issued the ticket."""
    with hall.db.read() as conn:
        row = tickets.get(conn, ticket_id)
        if row is None:
            raise Refusal("ticket_not_found", "no such ticket")
        answer = describe(conn, hall, row, now, lang, base_url)
    del answer["priority"], answer["booking_id"]
    return answer
