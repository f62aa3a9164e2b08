"""A window's rating pad (DESIGN §4.6): the review it asks for once the clerk completes a ticket, and the
citizen's answer, stored with the ticket, the window and the clerk who served, never who rated."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import anyio.to_thread
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from hall_server.domain.reviews import LANGUAGES, ReviewError, follow_up_due, validate_review
from hall_server.domain.windows import Window
from hall_server.state.floor_bus import FeedClosed, FloorEvent
from hall_server.state.hall_state import HallState
from hall_server.store import reviews, tickets
from hall_server.store.devices import DeviceIdentity
from hall_server.usecases.caller import Caller
from hall_server.usecases.creating import Create, Created
from hall_server.usecases.event_log import review_event
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.reviews import levels_answer
from hall_server.usecases.sites import known_site

# The pad shows a review this long after the completion (it clears itself after that too); the hall takes
# an answer a little longer, for a pad that sends it as the time runs out over a slow link.
PROMPT_S = 60
ANSWER_GRACE_S = 30
# A comment line on the stream this often, so proxies and the pad know the link is alive.
KEEPALIVE_S = 15.0

PadEvent = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class PadAt:
    """A pad of a device at one window of a site, checked: the device's own site and window."""

    hall: HallState
    device: DeviceIdentity
    site: str
    window: Window


def pad_at(hall: HallState, caller: Caller, site: str, window: str) -> PadAt:
    """The pad a device asks for; ``forbidden`` for another site's or another window's, ``unknown_window``."""
    profile = known_site(site)
    device = caller.device
    if device is None or device.kind != "pad":
        raise Refusal("forbidden", "only a rating pad uses this endpoint")
    if device.site != site or (device.window is not None and device.window != window):
        raise Refusal("forbidden", "a pad serves its own site and window only")
    found = profile.window(window)
    if found is None:
        raise Refusal("unknown_window", f"site {site} has no window {window!r}")
    return PadAt(hall, device, site, found)


def _prompt(row: tickets.Ticket, now: datetime) -> dict[str, Any]:
    assert row.finished_at is not None
    left = PROMPT_S - (now - row.finished_at).total_seconds()
    return {"ticket_id": row.id, "ticket": row.number, "expires_in_s": max(1, round(left))}


def pending_review(conn: Connection, pad: PadAt, now: datetime) -> dict[str, Any] | None:
    """The review the pad asks for now: the ticket this window completed in the last minute, unrated."""
    row = tickets.last_completed_at(conn, pad.site, pad.window.number, now - timedelta(seconds=PROMPT_S))
    if row is None or reviews.ticket_reviewed(conn, row.id):
        return None
    return _prompt(row, now)


def _state(pad: PadAt) -> dict[str, Any]:
    now = pad.hall.now()
    with pad.hall.db.read() as conn:
        pending = pending_review(conn, pad, now)
    return {
        "site": pad.site,
        "window": pad.window.number,
        "area": {lang: pad.window.area(lang) for lang in LANGUAGES},
        "site_name": {lang: known_site(pad.site).name(lang) for lang in LANGUAGES},
        "levels": {lang: levels_answer(lang)["levels"] for lang in LANGUAGES},
        "prompt_s": PROMPT_S,
        "pending": pending,
    }


async def _next(feed_get: asyncio.Task[FloorEvent], ended: asyncio.Event) -> FloorEvent | None:
    """The next floor event, or None after KEEPALIVE_S or once the device's access ended."""
    waiter = asyncio.ensure_future(ended.wait())
    try:
        await asyncio.wait({feed_get, waiter}, timeout=KEEPALIVE_S, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    return feed_get.result() if feed_get.done() else None


async def pad_events(pad: PadAt) -> AsyncIterator[PadEvent]:
    """``state`` first (levels, languages, a pending review), then ``review`` after each completion at the
    window, ``ping`` now and then; ends with ``closed`` when the device's token stops working, or quietly
    when the floor dropped the feed (the pad reconnects and gets the state again)."""
    hall = pad.hall
    async with hall.devices.live(pad.device.name) as ended, hall.floor.subscribe(
        pad.site, lambda event: event.kind == "completed" and event.window == pad.window.number
    ) as feed:
        # Subscribed before the state is read: a completion in between is in the feed, not lost.
        yield "state", await anyio.to_thread.run_sync(_state, pad)
        get: asyncio.Task[FloorEvent] | None = None
        try:
            while not ended.is_set():
                get = get or asyncio.ensure_future(feed.get())
                try:
                    event = await _next(get, ended)
                except FeedClosed:
                    return
                if event is None:
                    if not ended.is_set():
                        yield "ping", {}
                    continue
                get = None
                if event.kind == "completed" and event.window == pad.window.number:
                    prompt = await anyio.to_thread.run_sync(_pending_now, pad)
                    if prompt is not None:
                        yield "review", prompt
            yield "closed", {"code": "token_revoked"}
        finally:
            if get is not None:
                get.cancel()
                with suppress(asyncio.CancelledError, FeedClosed):
                    await get


def _pending_now(pad: PadAt) -> dict[str, Any] | None:
    with pad.hall.db.read() as conn:
        return pending_review(conn, pad, pad.hall.now())


def answer_review(pad: PadAt, *, ticket_id: str, level: int, reasons: list[str],
                  comment: str | None) -> Create:
    """The citizen's answer on the pad: one per ticket completed at this window (``already_reviewed``),
    within the pad's time (``review_closed``); a level of 2 or less opens a follow-up case."""
    text = comment.strip() if comment else None
    try:
        validate_review(level, reasons, text)
    except ReviewError as exc:
        raise Refusal(exc.code, exc.message) from exc
    hall = pad.hall
    now = hall.now()
    due = follow_up_due(level, now, hall.calendars.site(pad.site))

    def create(conn: Connection) -> Created:
        row = tickets.get(conn, ticket_id)
        if row is None or row.site != pad.site or row.counter != pad.window.number or row.status != "done":
            raise Refusal("subject_not_found", "no ticket completed at this window by that id")
        assert row.finished_at is not None
        if now - row.finished_at > timedelta(seconds=PROMPT_S + ANSWER_GRACE_S):
            raise Refusal("review_closed", "the time to rate this ticket has passed")
        if reviews.ticket_reviewed(conn, row.id):
            raise Refusal("already_reviewed", "this ticket has been rated")
        try:
            with conn.begin_nested():
                review_id = reviews.add_review(
                    conn, site=pad.site, level=level, reasons=list(reasons), comment=text,
                    subject_type="ticket", subject_id=row.id, rater=f"device:{pad.device.name}", now=now,
                    window=pad.window.number, clerk=row.completed_by,
                )
        except IntegrityError as exc:  # another answer to the same ticket won the race
            raise Refusal("already_reviewed", "this ticket has been rated") from exc
        follow_up = None
        case_id = None
        if due is not None:
            case_id = reviews.open_follow_up(conn, review_id, pad.site, due, now)
            follow_up = {"id": case_id, "due": due.isoformat(), "status": "open"}
        # As a review from a kiosk: the statistics and the desk know the pad's reviews by their events.
        review_event(conn, review_id, level, pad.site, now, subject_type="ticket", subject_id=row.id,
                     kiosk=None, case_id=case_id)
        return 201, {"id": review_id, "level": level, "follow_up": follow_up}

    return create
