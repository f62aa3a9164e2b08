"""What staff do at a counter (call next, recall, no-show, start, complete, transfer), and the queues."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection

from hall_server.domain.booking import check_in_window
from hall_server.domain.queue import Priority, WaitingTicket, order_waiting
from hall_server.state.hall_state import HallState
from hall_server.store import bookings, tickets
from hall_server.usecases import tickets as ticketing
from hall_server.usecases.catalogue import require_service
from hall_server.usecases.event_log import ticket_event
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import known_site

CounterAction = Callable[[Connection, tickets.Ticket, datetime], tickets.Ticket]


def site_queues(site: str) -> set[str]:
    return {q for rule in known_site(site).sessions for q in rule.counters}


def _ordered(
    conn: Connection, site: str, day: date, queues: set[str], now: datetime
) -> list[WaitingTicket]:
    settings = known_site(site).settings
    items = []
    for row in tickets.waiting(conn, site, day):
        if row.queue not in queues:
            continue
        window = check_in_window(row.slot_start, settings) if row.slot_start else None
        priority = cast(Priority | None, row.priority)
        items.append(WaitingTicket(row.id, row.seq, row.issued_at, priority, window))
    return order_waiting(items, now, timedelta(minutes=settings.queue_wait_cap_minutes))


@dataclass(frozen=True)
class Counter:
    """One counter of one site, and the language and base URL of the tickets it answers with."""

    hall: HallState
    site: str
    name: str
    lang: str
    base_url: str
    clerk: str | None = None

    def act(self, action: CounterAction) -> dict[str, Any]:
        """Apply ``action`` to the ticket called at this counter; answers the ticket as it is then."""
        known_site(self.site)
        now = self.hall.now()
        with self.hall.db.write() as conn:
            current = tickets.current_at_counter(conn, self.site, self.name)
            if current is None:
                raise Refusal("no_current_ticket", "this counter has no called ticket")
            row = action(conn, current, now)
            return ticketing.describe(conn, self.hall, row, now, self.lang, self.base_url)

    def call_next(self, queues: list[str] | None) -> dict[str, Any]:
        """Call the next ticket (bookings in their window, then priority, then the rest)."""
        known = site_queues(self.site)
        wanted = set(queues) if queues else known
        if not wanted <= known:
            raise Refusal("unknown_queue", f"queues of {self.site}: {', '.join(sorted(known))}")
        now = self.hall.now()
        day = self.hall.calendars.site(self.site).local(now).date()
        with self.hall.db.write() as conn:
            if tickets.current_at_counter(conn, self.site, self.name) is not None:
                raise Refusal(
                    "counter_busy", "finish the current ticket first (complete, no-show or transfer)"
                )
            for candidate in _ordered(conn, self.site, day, wanted, now):
                if tickets.claim(conn, candidate.id, self.name, now):
                    row = tickets.get(conn, candidate.id)
                    assert row is not None
                    ticket_event(conn, "ticket_called", row, now, clerk=self.clerk)
                    return ticketing.describe(conn, self.hall, row, now, self.lang, self.base_url)
        raise Refusal("queue_empty", "nobody is waiting")

    def recall(self) -> dict[str, Any]:
        def action(conn: Connection, row: tickets.Ticket, now: datetime) -> tickets.Ticket:
            ticket_event(conn, "ticket_recalled", row, now, clerk=self.clerk)
            return _transition(conn, row, ("called",), called_at=now)

        return self.act(action)

    def no_show(self) -> dict[str, Any]:
        """The called citizen did not come; a booking's no-show counts towards suspension."""

        def action(conn: Connection, row: tickets.Ticket, now: datetime) -> tickets.Ticket:
            done = _transition(conn, row, ("called",), status="no_show", finished_at=now)
            ticket_event(conn, "ticket_no_show", row, now, clerk=self.clerk)
            if row.booking_id:
                bookings.set_status(conn, row.booking_id, ("checked_in",), status="no_show")
            return done

        return self.act(action)

    def start(self) -> dict[str, Any]:
        def action(conn: Connection, row: tickets.Ticket, now: datetime) -> tickets.Ticket:
            ticket_event(conn, "ticket_started", row, now, clerk=self.clerk)
            return _transition(conn, row, ("called",), status="serving", started_at=now)

        return self.act(action)

    def complete(self) -> dict[str, Any]:
        def action(conn: Connection, row: tickets.Ticket, now: datetime) -> tickets.Ticket:
            started = row.started_at or row.called_at or now
            done = _transition(
                conn, row, ("called", "serving"), status="done", started_at=started, finished_at=now
            )
            ticket_event(conn, "ticket_completed", row, now, clerk=self.clerk)
            return done

        return self.act(action)

    def transfer(self, queue: str) -> dict[str, Any]:
        """A new number in another queue that keeps the original issue time."""
        if queue not in site_queues(self.site):
            raise Refusal("unknown_queue", f"no queue {queue!r} at {self.site}")

        def action(conn: Connection, row: tickets.Ticket, now: datetime) -> tickets.Ticket:
            if queue == row.queue:
                raise Refusal("same_queue", "the ticket is in that queue already")
            entry = require_service(row.service)
            new = ticketing.issue(
                conn, self.hall, site=self.site, entry=entry, now=now, priority=row.priority,
                booking_id=row.booking_id, slot_start=row.slot_start, queue=queue,
            )
            # The citizen keeps their place in line: ordering goes by issue time.
            tickets.set_status(conn, new.id, ("waiting",), issued_at=row.issued_at)
            _transition(
                conn, row, ("called", "serving"), status="transferred", finished_at=now, transferred_to=new.id
            )
            ticket_event(conn, "ticket_transferred", row, now, clerk=self.clerk, related=new.id)
            return replace(new, issued_at=row.issued_at)

        return self.act(action)


def _transition(
    conn: Connection, row: tickets.Ticket, expected: tuple[str, ...], **values: Any
) -> tickets.Ticket:
    if row.status not in expected:
        raise Refusal("wrong_ticket_state", f"the ticket is {row.status}")
    if not tickets.set_status(conn, row.id, expected, **values):
        raise Refusal("wrong_ticket_state", "the ticket changed meanwhile")
    return replace(row, **values)


def queues_answer(hall: HallState, site: str) -> dict[str, Any]:
    """Each queue of the site today: waiting tickets in call order, and who is at which counter."""
    profile = known_site(site)
    now = hall.now()
    day = hall.calendars.site(site).local(now).date()
    result = []
    with hall.db.read() as conn:
        rows = {r.id: r for r in tickets.waiting(conn, site, day)}
        summary = tickets.day_summary(conn, site, day)
        for queue in sorted(site_queues(site)):
            order = _ordered(conn, site, day, {queue}, now)
            result.append(
                {
                    "queue": queue,
                    "waiting": len(order),
                    "issued_today": sum(summary.get(queue, {}).values()),
                    "counters_open": ticketing.counters_open(hall, site, queue, now),
                    "tickets": [
                        {
                            "id": t.id,
                            "number": rows[t.id].number,
                            "service": rows[t.id].service,
                            "priority": t.priority,
                            "booking_id": rows[t.id].booking_id,
                            "issued_at": t.issued_at.astimezone(profile.tz).isoformat(),
                        }
                        for t in order
                    ],
                }
            )
    return {"site": site, "date": day.isoformat(), "queues": result}
