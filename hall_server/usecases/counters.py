"""What a clerk does at a window (call next, recall, start, complete, no-show, call a chosen number, park and
resume, transfer), and the queues. Every action needs the clerk signed in at that window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from hall_server.domain.queue import WaitingTicket, order_waiting
from hall_server.state.floor_bus import FloorEvent, FloorEventKind
from hall_server.state.hall_state import HallState
from hall_server.store import audit, bookings, events, tickets
from hall_server.usecases import tickets as ticketing
from hall_server.usecases.catalogue import require_service
from hall_server.usecases.event_log import ticket_event
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import known_site
from hall_server.usecases.windows import Seat, announce, effective_window, seated

BUSY = "finish the current ticket first (complete, no-show, park or transfer)"
CounterAction = Callable[[Connection, tickets.Ticket, datetime], tickets.Ticket]


def site_queues(site: str) -> set[str]:
    return {q for rule in known_site(site).sessions for q in rule.counters}


# The floor's ticket transitions as the event log names them ("called" is a first call or a recall).
STORED: dict[str, events.EventKind] = {
    "started": "ticket_started", "completed": "ticket_completed", "no_show": "ticket_no_show",
    "transferred": "ticket_transferred", "parked": "ticket_parked",
}


@dataclass(frozen=True)
class Counter(Seat):
    """The counter actions of a clerk at a window (``{counter}`` of the routes is the window number)."""

    def ticket_event(
        self, kind: FloorEventKind, row: tickets.Ticket, at: datetime, **more: Any
    ) -> FloorEvent:
        return FloorEvent(kind=kind, site=self.site, at=at, window=self.window, ticket_id=row.id,
                          ticket=row.number, queue=row.queue, clerk=self.clerk, **more)

    def _record(self, conn: Connection, kind: FloorEventKind, before: tickets.Ticket, now: datetime, *,
                recall: bool = False, detail: str | None = None) -> None:
        """The transition in the event log, in its transaction, with the ticket as it was before it."""
        stored = ("ticket_recalled" if recall else "ticket_called") if kind == "called" else STORED.get(kind)
        if stored is not None:
            ticket_event(conn, stored, before, now, window=self.window, clerk=self.clerk, detail=detail)

    def _answer(self, conn: Connection, row: tickets.Ticket, now: datetime) -> dict[str, Any]:
        return ticketing.describe(conn, self.hall, row, now, self.lang, self.base_url)

    def act(self, action: CounterAction, kind: FloorEventKind, **more: Any) -> dict[str, Any]:
        """Apply ``action`` to the ticket called or served at this window; answers the ticket as it is then,
        and tells the floor (``kind``) once committed."""
        now = self.hall.now()
        with self.hall.db.write() as conn:
            seated(conn, self.site, self.window, self.clerk)
            current = tickets.current_at_counter(conn, self.site, self.window)
            if current is None:
                raise Refusal("no_current_ticket", "this window has no called ticket")
            row = action(conn, current, now)
            self._record(conn, kind, current, now, recall=bool(more.get("recall")),
                         detail="window" if "to_window" in more else None)
            announce(conn, self.hall, self.ticket_event(kind, row, now, **more))
            return self._answer(conn, row, now)

    def _ready_to_call(self, conn: Connection) -> None:
        """The window is the clerk's, not paused and free: checked under the window's row lock, so two
        calls of one window never both pass (the partial unique index on tickets backs this up)."""
        state = seated(conn, self.site, self.window, self.clerk)
        if state.paused:
            raise Refusal("window_paused", "the window is paused (暂停服务); resume it to call")
        if tickets.current_at_counter(conn, self.site, self.window) is not None:
            raise Refusal("counter_busy", BUSY)

    def _call(
        self, conn: Connection, row: tickets.Ticket, now: datetime, *, recall: bool = False
    ) -> dict[str, Any]:
        called = tickets.get(conn, row.id)
        assert called is not None
        self._record(conn, "called", called, now, recall=recall)
        announce(conn, self.hall, self.ticket_event("called", called, now, recall=recall))
        return self._answer(conn, called, now)

    def call_next(self, queues: list[str] | None) -> dict[str, Any]:
        """Call the next ticket for this window: those transferred to it first, then its queues in the
        window's order through the one ordering function (bookings in their slot window, 绿色通道
        priority classes, and the wait cap keep their guarantees)."""
        window = effective_window(self.hall, self.site, self.window)
        wanted = list(window.queues)
        if queues:
            if not set(queues) <= set(window.queues):
                raise Refusal("unknown_queue", f"window {self.window} serves {', '.join(window.queues)}")
            wanted = [q for q in window.queues if q in queues]
        now = self.hall.now()
        day = self.hall.calendars.site(self.site).local(now).date()
        try:
            with self.hall.db.write() as conn:
                self._ready_to_call(conn)
                for candidate in self._line(conn, day, wanted, now):
                    if tickets.claim(conn, candidate.id, self.window, now):
                        row = tickets.get(conn, candidate.id)
                        assert row is not None
                        return self._call(conn, row, now)
        except IntegrityError as exc:
            raise Refusal("counter_busy", "another call of this window got there first") from exc
        raise Refusal("queue_empty", "nobody is waiting")

    def _line(self, conn: Connection, day: date, queues: list[str], now: datetime) -> list[WaitingTicket]:
        sent_here = ticketing.ordered_for_window(conn, self.hall, self.site, day, self.window, now)
        served = [
            replace(t, rank=rank)
            for rank, queue in enumerate(queues)
            for t in ticketing.waiting_tickets(conn, self.hall, self.site, day, queue)
        ]
        return sent_here + order_waiting(served, now, ticketing.wait_cap(self.site))

    def call_number(self, number: str, reason: str) -> dict[str, Any]:
        """Call a chosen waiting ticket out of turn; who, when and why go to the counter audit."""
        now = self.hall.now()
        day = self.hall.calendars.site(self.site).local(now).date()
        try:
            with self.hall.db.write() as conn:
                self._ready_to_call(conn)
                row = tickets.by_number(conn, self.site, day, number)
                if row is None:
                    raise Refusal("ticket_not_found", f"no ticket {number} today")
                if not tickets.claim(conn, row.id, self.window, now):
                    raise Refusal("wrong_ticket_state", f"ticket {number} is {row.status}, not waiting")
                audit.log_counter(conn, now, self.clerk, self.site, self.window, "call_number",
                                  ticket_id=row.id, number=row.number, reason=reason)
                return self._call(conn, row, now)
        except IntegrityError as exc:
            raise Refusal("counter_busy", "another call of this window got there first") from exc

    def recall(self) -> dict[str, Any]:
        return self.act(lambda conn, row, now: _transition(conn, row, ("called",), called_at=now),
                        "called", recall=True)

    def no_show(self) -> dict[str, Any]:
        """The called citizen did not come; a booking's no-show counts towards suspension."""

        def action(conn: Connection, row: tickets.Ticket, now: datetime) -> tickets.Ticket:
            done = _transition(conn, row, ("called",), status="no_show", finished_at=now)
            if row.booking_id:
                bookings.set_status(conn, row.booking_id, ("checked_in",), status="no_show")
            return done

        return self.act(action, "no_show")

    def start(self) -> dict[str, Any]:
        return self.act(
            lambda conn, row, now: _transition(conn, row, ("called",), status="serving", started_at=now),
            "started",
        )

    def complete(self) -> dict[str, Any]:
        def action(conn: Connection, row: tickets.Ticket, now: datetime) -> tickets.Ticket:
            started = row.started_at or row.called_at or now
            return _transition(
                conn, row, ("called", "serving"), status="done", started_at=started, finished_at=now,
                completed_by=self.clerk,
            )

        return self.act(action, "completed")

    def park(self) -> dict[str, Any]:
        """Put the current ticket on hold (挂起): out of the line, kept at this window until resumed."""
        return self.act(
            lambda conn, row, now: _transition(conn, row, ("called", "serving"), status="parked"), "parked"
        )

    def unpark(self, number: str) -> dict[str, Any]:
        """Call a ticket parked at this window again (the window must be free and not paused)."""
        now = self.hall.now()
        with self.hall.db.write() as conn:
            self._ready_to_call(conn)
            parked = tickets.parked_at_counter(conn, self.site, self.window)
            row = next((t for t in parked if t.number == number), None)
            if row is None:
                raise Refusal("ticket_not_found", f"no ticket {number} is parked at window {self.window}")
            _transition(conn, row, ("parked",), status="called", called_at=now)
            return self._call(conn, row, now, recall=True)

    def transfer(self, queue: str | None = None, window: str | None = None) -> dict[str, Any]:
        """Send the current citizen to another queue (a new number there that keeps the original issue
        time) or to another window (the same ticket, first in that window's own line, by issue time)."""
        if window is not None:
            return self._transfer_to_window(window)
        assert queue is not None
        if queue not in site_queues(self.site):
            raise Refusal("unknown_queue", f"no queue {queue!r} at {self.site}")

        def action(conn: Connection, row: tickets.Ticket, now: datetime) -> tickets.Ticket:
            if queue == row.queue:
                raise Refusal("same_queue", "the ticket is in that queue already")
            entry = require_service(row.service)
            new = ticketing.issue(
                conn, self.hall, site=self.site, entry=entry, now=now, priority=row.priority,
                booking_id=row.booking_id, slot_start=row.slot_start, queue=queue,
            ).ticket
            # The citizen keeps their place in line: ordering goes by issue time.
            tickets.set_status(conn, new.id, ("waiting",), issued_at=row.issued_at)
            _transition(
                conn, row, ("called", "serving"), status="transferred", finished_at=now, transferred_to=new.id
            )
            ticket_event(conn, "ticket_transferred", row, now, window=self.window, clerk=self.clerk,
                         related=new.id, detail="queue")
            announce(conn, self.hall, self.ticket_event("transferred", row, now, to_queue=queue))
            return replace(new, issued_at=row.issued_at)

        return self.act(action, "waiting_changed")

    def _transfer_to_window(self, window: str) -> dict[str, Any]:
        target = effective_window(self.hall, self.site, window)
        if not target.open:
            raise Refusal("window_closed", f"window {window} is closed on the site's plan")
        if window == self.window:
            raise Refusal("same_window", "the ticket is at this window already")

        def action(conn: Connection, row: tickets.Ticket, now: datetime) -> tickets.Ticket:
            return _transition(conn, row, ("called", "serving"), status="waiting", counter=None,
                               started_at=None, for_window=window)

        return self.act(action, "transferred", to_window=window)


def _transition(
    conn: Connection, row: tickets.Ticket, expected: tuple[str, ...], **values: Any
) -> tickets.Ticket:
    if row.status not in expected:
        raise Refusal("wrong_ticket_state", f"the ticket is {row.status}")
    if not tickets.set_status(conn, row.id, expected, **values):
        raise Refusal("wrong_ticket_state", "the ticket changed meanwhile")
    return replace(row, **values)


def queues_answer(hall: HallState, site: str) -> dict[str, Any]:
    """Each queue of the site today: waiting tickets in call order, and how many windows serve it; then each
    window with tickets transferred to it, in the order it will call them (before its queues)."""
    profile = known_site(site)
    now = hall.now()
    day = hall.calendars.site(site).local(now).date()

    def listed(order: list[WaitingTicket]) -> list[dict[str, Any]]:
        return [{"id": t.id, "number": rows[t.id].number, "service": rows[t.id].service,
                 "priority": t.priority, "booking_id": rows[t.id].booking_id,
                 "issued_at": t.issued_at.astimezone(profile.tz).isoformat()} for t in order]

    result = []
    sent = []
    with hall.db.read() as conn:
        rows = {r.id: r for r in tickets.waiting(conn, site, day)}
        summary = tickets.day_summary(conn, site, day)
        for queue in sorted(site_queues(site)):
            order = ticketing.ordered_waiting(conn, hall, site, day, queue, now)
            result.append({"queue": queue, "waiting": len(order),
                           "issued_today": sum(summary.get(queue, {}).values()),
                           "counters_open": ticketing.counters_open(conn, hall, site, queue, now),
                           "tickets": listed(order)})
        # By number, as the site plan orders its windows.
        for window in sorted({r.for_window for r in rows.values() if r.for_window is not None}, key=int):
            order = ticketing.ordered_for_window(conn, hall, site, day, window, now)
            sent.append({"window": window, "waiting": len(order), "tickets": listed(order)})
    return {"site": site, "date": day.isoformat(), "queues": result, "windows": sent}
