"""The calling screens' side of the floor: recent calls, the state of the floor, and its live event stream.

`CallBoard.stream(site)` yields Server-Sent Event frames: the floor's state first, then one event per
transition the floor bus carries, with a comment line as keep-alive when nothing happens. It ends when
its feed falls behind (the bus drops it), so the browser reconnects and reads the state again.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import anyio.to_thread

from hall_contract.calls import WindowState
from hall_server.domain.announcements import TICKET_PATTERN, WINDOW_PATTERN, announcement, say_texts
from hall_server.domain.sites import Site
from hall_server.state.floor_bus import FeedClosed, FloorEvent
from hall_server.state.hall_state import HallState
from hall_server.state.voice_packs import VoicePacks
from hall_server.store import calls as store
from hall_server.store import windows as window_states
from hall_server.usecases.sites import known_site

STATE_CALLS = 8
# How soon a screen's browser reconnects after the stream ends: a restarted hall is back within a few
# seconds, and a screen that waits longer than one retry after that misses the 5 s the issue allows.
RETRY_MS = 1000
VOICE_PATH = "/display/voice"
_WINDOW_STATES: dict[str, WindowState] = {
    "window_opened": "open", "window_paused": "paused", "window_closed": "closed",
}
_WINDOW_FREED = ("completed", "no_show", "transferred", "parked", "window_closed")


def _shown(in_plan: bool, seat: window_states.WindowState | None) -> str:
    """What a window's display says: closed off the plan or with no clerk signed in, else paused or open."""
    if not in_plan or seat is None or seat.clerk is None:
        return "closed"
    return "paused" if seat.paused else "open"


def _with_every_queue(site: Site, counts: dict[str, int]) -> dict[str, int]:
    """Counts of every queue the site staffs (an empty line shows as 0), in queue order."""
    queues = {q for rule in site.sessions for q in rule.counters} | set(counts)
    return {queue: counts.get(queue, 0) for queue in sorted(queues)}


def frame(event: dict[str, Any], retry_ms: int | None = None) -> str:
    """One Server-Sent Event: JSON on one ``data:`` line (JSON escapes every newline)."""
    head = f"retry: {retry_ms}\n" if retry_ms is not None else ""
    return head + "data: " + json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n\n"


class CallBoard:
    """What every calling screen of this hall reads; one per process."""

    def __init__(self, hall: HallState, voices: VoicePacks, keepalive_s: float = 15.0) -> None:
        self.hall = hall
        self.voices = voices
        self.keepalive_s = keepalive_s
        # One database read per site and floor event, however many screens watch (see ``_waiting``).
        self._counts: dict[str, tuple[FloorEvent, asyncio.Task[dict[str, int]]]] = {}
        self._frames: dict[str, tuple[FloorEvent, str]] = {}

    def call(self, site: Site, ticket: str, window: str, at: datetime, recall: bool) -> dict[str, Any]:
        """A call as the contract shows it, with the sentence and clips in each announce language."""
        place = site.window(window)
        languages = site.floor.announce
        voice: list[dict[str, Any]] = []
        if TICKET_PATTERN.fullmatch(ticket) and WINDOW_PATTERN.fullmatch(window):
            pack = site.floor.voice_pack
            for segment in announcement(self.voices.manifest(pack), ticket, window, languages):
                clips = [f"{VOICE_PATH}/{pack}/{clip}" for clip in segment.clips]
                voice.append({"lang": segment.lang, "clips": clips})
        return {
            "type": "called", "ticket": ticket, "window": window,
            "area": place.area("zh-Hans") if place else "",
            "areas": dict(place.areas) if place else {},
            "recall": recall, "at": at.astimezone(site.tz).isoformat(timespec="seconds"),
            "say": say_texts(ticket, window, languages), "voice": voice,
        }

    def check(self, code: str) -> None:
        """Refusal ``unknown_site`` before a stream starts (once it has, no status can be answered)."""
        known_site(code)

    def recent(self, code: str, limit: int) -> dict[str, Any]:
        """The day's latest calls, newest first; Refusal ``unknown_site``."""
        site = known_site(code)
        day = self.hall.calendars.site(code).local(self.hall.now()).date()
        with self.hall.db.read() as conn:
            rows = store.recent_calls(conn, code, day, limit)
        calls = [self.call(site, r.number, r.counter, r.called_at, False) for r in rows]
        return {"site": code, "calls": calls}

    def state(self, code: str) -> dict[str, Any]:
        """The floor now: recent calls, people waiting per queue, each window's ticket and state."""
        site = known_site(code)
        now = self.hall.now()
        day = self.hall.calendars.site(code).local(now).date()
        with self.hall.db.read() as conn:
            rows = store.recent_calls(conn, code, day, STATE_CALLS)
            waiting = store.waiting_counts(conn, code, day)
            serving = store.tickets_at_counters(conn, code, day)
            seats = window_states.of_site(conn, code)
        windows = {w.number: {"ticket": serving.get(w.number), "state": _shown(w.open, seats.get(w.number))}
                   for w in site.windows}
        return {
            "type": "state", "site": code, "names": dict(site.names),
            "calls": [self.call(site, r.number, r.counter, r.called_at, False) for r in rows],
            "waiting": _with_every_queue(site, waiting), "windows": windows,
            "notice": dict(site.floor.notices),
            "announce": list(site.floor.announce), "voice_pack": site.floor.voice_pack,
            "now": now.astimezone(site.tz).isoformat(timespec="seconds"),
        }

    def _read_waiting(self, code: str) -> dict[str, int]:
        day = self.hall.calendars.site(code).local(self.hall.now()).date()
        with self.hall.db.read() as conn:
            return _with_every_queue(known_site(code), store.waiting_counts(conn, code, day))

    async def _waiting(self, event: FloorEvent) -> dict[str, int]:
        """The counts after ``event``: the first screen to ask reads them, the others share that read."""
        held = self._counts.get(event.site)
        if held is None or held[0] is not event:
            task = asyncio.ensure_future(anyio.to_thread.run_sync(self._read_waiting, event.site))
            held = (event, task)
            self._counts[event.site] = held
        # Shielded: a screen that goes away must not cancel the read the others wait for.
        return await asyncio.shield(held[1])

    def _called_frame(self, site: Site, event: FloorEvent) -> str:
        """A call's frame, made once however many screens send it (its clips and sentences are the same)."""
        held = self._frames.get(site.code)
        if held is None or held[0] is not event:
            assert event.ticket and event.window
            held = (event, frame(self.call(site, event.ticket, event.window, event.at, event.recall)))
            self._frames[site.code] = held
        return held[1]

    async def _events(self, site: Site, event: FloorEvent, view: dict[str, Any]) -> list[str]:
        """The frames one floor event makes for a screen, given what it was last told (``view``)."""
        out: list[str] = []
        windows: dict[str, dict[str, Any]] = view["windows"]
        number = event.window
        if event.kind == "called" and event.ticket and number:
            out.append(self._called_frame(site, event))
            shown = windows.setdefault(number, {"ticket": None, "state": "open"})
            if shown["ticket"] != event.ticket or shown["state"] != "open":
                windows[number] = {"ticket": event.ticket, "state": "open"}
                out.append(frame({"type": "window", "window": number, **windows[number]}))
        elif number and (event.kind in _WINDOW_STATES or event.kind in _WINDOW_FREED):
            shown = dict(windows.get(number, {"ticket": None, "state": "open"}))
            shown["state"] = _WINDOW_STATES.get(event.kind, shown["state"])
            if event.kind in _WINDOW_FREED:
                shown["ticket"] = None
            if windows.get(number) != shown:
                windows[number] = shown
                out.append(frame({"type": "window", "window": number, **shown}))
        if event.kind in ("waiting_changed", "transferred") or (event.kind == "called" and not event.recall):
            waiting = await self._waiting(event)
            if waiting != view["waiting"]:
                view["waiting"] = waiting
                out.append(frame({"type": "waiting", "waiting": waiting}))
        return out

    async def stream(self, code: str) -> AsyncIterator[str]:
        """Event frames of ``code``'s floor until the client goes or its feed falls behind."""
        site = known_site(code)
        # Subscribed before the state is read: a call in between is sent after it, never lost.
        async with self.hall.floor.subscribe(code) as feed:
            view = await anyio.to_thread.run_sync(self.state, code)
            yield frame(view, RETRY_MS)
            while True:
                try:
                    async with asyncio.timeout(self.keepalive_s):
                        event = await feed.get()
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                except FeedClosed:
                    return
                messages = await self._events(site, event, view)
                if messages:
                    # One write for the frames of one event: on a busy floor the hall's CPU goes mostly to
                    # the system's socket sends, one per write and screen.
                    yield "".join(messages)
