"""What happens on a hall's floor (calls, window states), published once and fanned out to live streams.

`FloorBus.publish(event)` is called by the counter use cases after their transaction commits, from any
thread; `async with bus.subscribe(site) as feed: event = await feed.get()` is how a stream (the calling
screen, a window display, a rating pad, a phone page) receives them on its event loop.

One process holds one bus in memory. With several nodes (``serve --redis``) the same interface is served
through Redis (``redis_floor_bus.RedisFloorBus``, DESIGN.md §4.9); nothing outside knows which.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

FloorEventKind = Literal[
    "called",  # a ticket called to a window (call-next or a chosen number); `recall` when called again
    "started",  # the citizen arrived at the window
    "completed",  # service done: the window's rating pad asks for a review of this ticket
    "no_show",
    "transferred",  # to another queue or window
    "parked",  # put on hold at the window (挂起), resumed later by a new "called"
    "window_opened",  # a clerk signed in, or a paused window resumed
    "window_paused",  # 暂停服务: no calls to this window
    "window_closed",  # the clerk signed out
    "waiting_changed",  # a ticket issued or leaving the line: people waiting per queue changed
]
# A subscriber that falls this far behind is dropped; its client reconnects and gets the state first.
FEED_LIMIT = 256


@dataclass(frozen=True)
class FloorEvent:
    """One transition on the floor. `clerk` is a staff account name: never sent on a public stream."""

    kind: FloorEventKind
    site: str
    at: datetime
    window: str | None = None
    ticket_id: str | None = None
    ticket: str | None = None  # the printed number, e.g. "B001"
    queue: str | None = None
    recall: bool = False
    clerk: str | None = None
    to_queue: str | None = None  # "transferred" to another queue (the new number waits there)
    to_window: str | None = None  # "transferred" to another window (first in that window's line)


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the calling thread, or None on a worker thread: work handed to a loop from its
    own thread needs no wake-up through its self-pipe (``call_soon``, not ``call_soon_threadsafe``)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class FeedClosed(Exception):
    """The feed was dropped for falling behind (or the bus closed): reconnect and read the state again."""


Wants = Callable[[FloorEvent], bool]
# Which feeds of a site an event is handed to (see FloorBus._deliver).
Audience = Literal["all", "own_only", "shared"]


class Feed:
    """One subscriber's events, in order, on the subscriber's own event loop; only those it ``wants``."""

    def __init__(
        self, site: str, loop: asyncio.AbstractEventLoop, wants: Wants | None = None, own_only: bool = False
    ) -> None:
        self.site = site
        self.loop = loop
        self.wants = wants
        self.own_only = own_only
        self._queue: asyncio.Queue[FloorEvent | None] = asyncio.Queue(FEED_LIMIT)
        self.closed = False

    def _put(self, event: FloorEvent | None) -> None:
        if self.closed or (event is not None and self.wants is not None and not self.wants(event)):
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.end()

    def end(self) -> None:
        """Drop the feed: its reader gets FeedClosed and reads the state again (on the feed's loop)."""
        if self.closed:
            return
        self.closed = True
        try:  # after the events already queued: a reader waiting on the queue must be woken by it
            self._queue.put_nowait(None)
        except asyncio.QueueFull:  # nobody waits on a full queue: the end replaces what it held
            self._queue = asyncio.Queue(1)
            self._queue.put_nowait(None)

    async def get(self) -> FloorEvent:
        event = await self._queue.get()
        if event is None:
            raise FeedClosed
        return event

    def ready(self) -> list[FloorEvent]:
        """The events queued already, taken without waiting (the end, if it came, stays for ``get``)."""
        taken: list[FloorEvent] = []
        while not self._queue.empty():
            event = self._queue.get_nowait()
            if event is None:
                self._queue.put_nowait(None)  # room: events were just taken, or this was the only one
                break
            taken.append(event)
        return taken


def _hand_out(feeds: list[Feed], event: FloorEvent) -> None:
    for feed in feeds:
        feed._put(event)


class FloorBus:
    """In-process publish/subscribe of floor events per site."""

    def __init__(self) -> None:
        self._feeds: dict[str, set[Feed]] = {}
        self._lock = threading.Lock()

    async def start(self) -> None:
        """Called on the server's event loop before it serves (a shared bus connects here)."""

    async def close(self) -> None:
        """Called when the server stops."""

    def publish(self, event: FloorEvent) -> None:
        """Hand ``event`` to every feed of its site; safe from any thread, never blocks on a slow reader."""
        self._deliver(event)

    def _deliver(self, event: FloorEvent, audience: Audience = "all") -> None:
        """Hand ``event`` to this process's feeds of its site: all of them, or only the ``own_only`` ones,
        or only the others (``shared``: those that hear every node)."""
        # One wake-up per event loop, not per feed: each wake-up from another thread costs a system call,
        # and hundreds of phones follow one site (the hall's work per call stays flat as they come).
        by_loop: dict[asyncio.AbstractEventLoop, list[Feed]] = {}
        with self._lock:
            for feed in self._feeds.get(event.site, ()):
                if audience == "all" or feed.own_only == (audience == "own_only"):
                    by_loop.setdefault(feed.loop, []).append(feed)
        here = running_loop()
        for loop, feeds in by_loop.items():
            if loop is here:  # handed out on the feeds' own loop: no wake-up through its self-pipe
                loop.call_soon(_hand_out, feeds, event)
                continue
            try:
                loop.call_soon_threadsafe(_hand_out, feeds, event)
            except RuntimeError:  # the loop has closed: its streams are gone
                for feed in feeds:
                    self._remove(feed)

    def subscribers(self, site: str) -> int:
        with self._lock:
            return len(self._feeds.get(site, ()))

    def _drop_all(self) -> None:
        """End every feed (they may have missed events): each reader reads the state again."""
        with self._lock:
            feeds = [feed for site_feeds in self._feeds.values() for feed in site_feeds]
        for feed in feeds:
            try:
                feed.loop.call_soon_threadsafe(feed.end)
            except RuntimeError:
                self._remove(feed)

    def _remove(self, feed: Feed) -> None:
        with self._lock:
            feeds = self._feeds.get(feed.site)
            if feeds is not None:
                feeds.discard(feed)
                if not feeds:
                    del self._feeds[feed.site]

    @asynccontextmanager
    async def subscribe(
        self, site: str, wants: Wants | None = None, *, own_only: bool = False
    ) -> AsyncIterator[Feed]:
        """A feed of ``site``'s events from now on, removed when the block ends: those ``wants`` keeps
        (decided where they are handed out, so a subscriber is not woken for the others); ``own_only``:
        only those made by this node (work that one node of several must do once per event, e.g. turn
        notices)."""
        feed = Feed(site, asyncio.get_running_loop(), wants, own_only)
        with self._lock:
            self._feeds.setdefault(site, set()).add(feed)
        try:
            yield feed
        finally:
            self._remove(feed)
