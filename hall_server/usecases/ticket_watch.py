"""One ticket's live state for the citizen's phone (``/t/{id}``): only its public state (number, state,
people ahead, estimated wait, window and area), sent again whenever the floor moves its line."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anyio.to_thread

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


def watched(hall: HallState, ticket_id: str) -> WatchedTicket:
    """The ticket to follow; Refusal ``ticket_not_found`` (the id is the secret the paper's QR carries)."""
    with hall.db.read() as conn:
        row = tickets.get(conn, ticket_id)
    if row is None:
        raise Refusal("ticket_not_found", "no such ticket")
    return WatchedTicket(hall, ticket_id, row.site, row.queue)


def public_state(ticket: WatchedTicket) -> dict[str, Any]:
    """What the phone shows: no name, no phone, no priority class, no booking."""
    hall = ticket.hall
    now = hall.now()
    with hall.db.read() as conn:
        row = tickets.get(conn, ticket.ticket_id)
        if row is None:
            raise Refusal("ticket_not_found", "no such ticket")
        answer = ticketing.describe(conn, hall, row, now, "zh-Hans", "")
    window = row.counter if row.status in ("called", "serving") else None
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


def _moves(event: FloorEvent, ticket: WatchedTicket) -> bool:
    return event.ticket_id == ticket.ticket_id or event.queue in (None, ticket.queue)


async def ticket_events(ticket: WatchedTicket) -> AsyncIterator[TicketEvent]:
    """``ticket`` with the state now, then again each time it changes; ``ping`` when nothing did for a
    while. Ends after a final state (done, missed, transferred) or when the floor dropped the feed."""
    async with ticket.hall.floor.subscribe(ticket.site) as feed:
        state = await anyio.to_thread.run_sync(public_state, ticket)
        yield "ticket", state
        while state["status"] not in FINAL:
            try:
                event: FloorEvent | None = await asyncio.wait_for(feed.get(), REFRESH_S)
            except TimeoutError:
                event = None
            except FeedClosed:
                return
            if event is not None and not _moves(event, ticket):
                continue
            new = await anyio.to_thread.run_sync(public_state, ticket)
            if new != state:
                state = new
                yield "ticket", state
            elif event is None:
                yield "ping", {}
