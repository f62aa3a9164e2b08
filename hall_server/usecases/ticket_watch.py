"""One ticket's live state for the citizen's phone (``/t/{id}``): only its public state (number, state,
people ahead, estimated wait, window and area), sent again whenever the floor moves its line."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import anyio.to_thread

from hall_server.domain.queue import estimated_wait_s
from hall_server.domain.windows import LANGUAGES
from hall_server.state.floor_bus import FeedClosed, FloorEvent
from hall_server.state.hall_state import HallState
from hall_server.store import tickets
from hall_server.usecases import tickets as ticketing
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import known_site

FINAL = ("done", "no_show", "transferred")
# Read again at least this often: the wait estimate moves with time, and a node may miss another's events.
REFRESH_S = 30.0

TicketEvent = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class WatchedTicket:
    hall: HallState
    ticket_id: str
    site: str
    queue: str
    day: date


@dataclass(frozen=True)
class Line:
    """A queue's waiting line after one floor event: what every phone following that queue needs."""

    ahead: dict[str, int]  # waiting ticket id → people ahead of it
    counters: int
    recent_s: list[float]
    default_s: float


# (site, day, queue) → the floor event last read for and its read, shared by every phone of that line:
# one read per event, not one per phone (the hall's work per call stays flat with phones watching).
_lines: dict[tuple[str, date, str], tuple[FloorEvent, asyncio.Task[Line]]] = {}


def watched(hall: HallState, ticket_id: str) -> WatchedTicket:
    """The ticket to follow; Refusal ``ticket_not_found`` (the id is the secret the paper's QR carries)."""
    with hall.db.read() as conn:
        row = tickets.get(conn, ticket_id)
    if row is None:
        raise Refusal("ticket_not_found", "no such ticket")
    return WatchedTicket(hall, ticket_id, row.site, row.queue, row.day)


def public_state(ticket: WatchedTicket) -> dict[str, Any]:
    """What the phone shows: no name, no phone, no priority class, no booking."""
    hall = ticket.hall
    now = hall.now()
    with hall.db.read() as conn:
        row = tickets.get(conn, ticket.ticket_id)
        if row is None:
            raise Refusal("ticket_not_found", "no such ticket")
        answer = ticketing.describe(conn, hall, row, now, "zh-Hans", "")
    window = row.counter if row.status in ("called", "serving", "parked") else None
    found = known_site(row.site).window(window) if window else None
    return {
        "number": row.number,
        "status": row.status,
        "people_ahead": answer["people_ahead"],
        "estimated_wait_s": answer["estimated_wait_s"],
        "window": window,
        # A recall calls again: the phone tells it by the new time.
        "called_at": row.called_at.isoformat() if row.called_at and window else None,
        "area": {lang: found.area(lang) for lang in LANGUAGES} if found else None,
        "transferred_to": row.transferred_to,
    }


def read_line(hall: HallState, site: str, day: date, queue: str) -> Line:
    """The queue's line now, as ``tickets.describe`` orders it for each waiting ticket."""
    now = hall.now()
    with hall.db.read() as conn:
        order = ticketing.ordered_waiting(conn, hall, site, day, queue, now)
        counters = ticketing.counters_open(conn, hall, site, queue, now)
        recent = tickets.recent_service_seconds(conn, site, day, queue)
    return Line({t.id: i for i, t in enumerate(order)}, counters, recent,
                known_site(site).settings.default_service_seconds)


async def _line_after(event: FloorEvent, ticket: WatchedTicket) -> Line:
    """The line after ``event``: the first phone to ask reads it, the others share that read."""
    key = (ticket.site, ticket.day, ticket.queue)
    held = _lines.get(key)
    if held is None or held[0] is not event or held[1].get_loop() is not asyncio.get_running_loop():
        read = anyio.to_thread.run_sync(read_line, ticket.hall, ticket.site, ticket.day, ticket.queue)
        held = (event, asyncio.ensure_future(read))
        _lines[key] = held
    # Shielded: a phone that goes away must not cancel the read the others wait for.
    return await asyncio.shield(held[1])


async def _state_after(
    event: FloorEvent | None, ticket: WatchedTicket, state: dict[str, Any]
) -> dict[str, Any]:
    """The ticket's public state after ``event``: from the shared line while it waits in it, else read."""
    if event is not None and state["status"] == "waiting":
        line = await _line_after(event, ticket)
        ahead = line.ahead.get(ticket.ticket_id)
        if ahead is not None:
            wait = estimated_wait_s(ahead, line.counters, line.recent_s, line.default_s)
            return {**state, "people_ahead": ahead, "estimated_wait_s": wait}
    return await anyio.to_thread.run_sync(public_state, ticket)


def _moves(event: FloorEvent, ticket: WatchedTicket) -> bool:
    return event.ticket_id == ticket.ticket_id or event.queue in (None, ticket.queue)


async def ticket_events(ticket: WatchedTicket) -> AsyncIterator[TicketEvent]:
    """``ticket`` with the state now, then again each time it changes; ``ping`` when nothing did for a
    while. Ends after a final state (done, missed, transferred) or when the floor dropped the feed."""
    async with ticket.hall.floor.subscribe(ticket.site, lambda event: _moves(event, ticket)) as feed:
        state = await anyio.to_thread.run_sync(public_state, ticket)
        yield "ticket", state
        while state["status"] not in FINAL:
            event: FloorEvent | None = None
            try:
                # A timeout scope, not wait_for: no task is made per event.
                async with asyncio.timeout(REFRESH_S):
                    event = await feed.get()
            except TimeoutError:
                pass
            except FeedClosed:
                return
            new = await _state_after(event, ticket, state)
            if new != state:
                state = new
                yield "ticket", state
            elif event is None:
                yield "ping", {}
