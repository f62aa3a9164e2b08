"""The floor bus of several nodes: each event is published on its site's Redis channel, and a node
subscribes to a site's channel while one of its feeds hears every node (a calling screen, a window display,
a rating pad, a phone page); feeds of a node's own events only (turn notices) get them at once, in memory.

A node with no such feed of a site receives none of that site's messages: with the screens of a site on
one node, the others do not pay for its events (each received message costs the receiving node about
as much as a small request).

Redis lost: events made here still reach this node's feeds (handed out locally), and every feed is
dropped when the subscription breaks and again when it is back, so each reader reads the state again
(from the database, which every node shares) rather than miss what another node published meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager, suppress
from datetime import datetime
from typing import Any

from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from hall_server.state.floor_bus import Feed, FloorBus, FloorEvent, Wants, running_loop
from hall_server.state.redis_link import RESUBSCRIBE_AFTER_S, RedisLink
from hall_server.state.task_stop import stop_tasks

log = logging.getLogger(__name__)
PIECE = "floor events"
# Events waiting for the publisher while Redis is slow: past this, this node's feeds get them directly.
OUTBOX_LIMIT = 10_000
# Events sent to Redis in one round trip at most, when they were made faster than sent one by one.
PUBLISH_BATCH = 100
# How long a new feed waits for Redis to confirm its site's subscription before it is handed out anyway.
SUBSCRIBE_WAIT_S = 2.0


def event_message(event: FloorEvent, node: str = "") -> str:
    fields: dict[str, Any] = dict(event.__dict__)
    fields["at"] = event.at.isoformat()
    return json.dumps({"node": node, "event": fields}, separators=(",", ":"))


def message_event(data: bytes | str) -> tuple[FloorEvent, str]:
    """The event a message carries and the node that made it; ValueError (or KeyError, TypeError) when
    it is not one."""
    message = json.loads(data)
    if not isinstance(message, dict) or not isinstance(message["event"], dict):
        raise ValueError("a floor message is a JSON object holding an event")
    fields = dict(message["event"])
    fields["at"] = datetime.fromisoformat(fields["at"])
    return FloorEvent(**fields), str(message["node"])


class RedisFloorBus(FloorBus):
    """Publishes on ``hall:floor:<site>``; subscribes to a site's channel while a feed of it hears every
    node, and fans what it receives out to those feeds."""

    def __init__(self, link: RedisLink) -> None:
        super().__init__()
        self.link = link
        self._loop: asyncio.AbstractEventLoop | None = None
        self._outbox: asyncio.Queue[FloorEvent] = asyncio.Queue(OUTBOX_LIMIT)
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribed = asyncio.Event()  # the listener's connection is up (its own channel confirmed)
        self._closing = False
        self._pubsub: PubSub | None = None
        # On the bus's loop only: feeds hearing every node, by site; the sites asked of the current
        # connection; those Redis confirmed (their messages reach this node from then on).
        self._sharing: dict[str, int] = {}
        self._asked: set[str] = set()
        self._heard_sites: set[str] = set()
        self._confirmed: dict[str, asyncio.Event] = {}

    def channel(self, site: str) -> str:
        return self.link.key("floor", site)

    def _control_channel(self) -> str:
        # Nobody publishes here: it keeps the subscription's connection (and its health check) up while
        # no site is heard.
        return self.link.key("floor-node", self.link.node)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._send())]
        # Serve only once subscribed: a site asked for before would wait for the connection.
        with suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), 5.0)

    async def close(self) -> None:
        loop, self._loop = self._loop, None
        self._closing = True
        await stop_tasks(self._tasks, "the floor bus")
        while not self._outbox.empty():
            self._deliver(self._outbox.get_nowait(), "shared")
        if loop is not None:
            self._drop_all()

    def publish(self, event: FloorEvent) -> None:
        """Handed to the feeds of this node's own events and queued for the publisher, for every node's
        other feeds, in one hop to the server's loop (a worker thread never waits on Redis)."""
        loop = self._loop
        if loop is None:
            self._deliver(event)
            return
        if loop is running_loop():  # a write on the loop itself (PostgreSQL's): no wake-up needed
            loop.call_soon(self._queue_out, event)
            return
        try:
            loop.call_soon_threadsafe(self._queue_out, event)
        except RuntimeError:  # the loop has closed: the server is stopping
            self._deliver(event)

    def _queue_out(self, event: FloorEvent) -> None:
        self._deliver(event, "own_only")
        try:
            self._outbox.put_nowait(event)
        except asyncio.QueueFull:
            self._deliver(event, "shared")

    @asynccontextmanager
    async def subscribe(
        self, site: str, wants: Wants | None = None, *, own_only: bool = False
    ) -> AsyncIterator[Feed]:
        """As ``FloorBus.subscribe``; a feed hearing every node is handed out only once this node is
        subscribed to the site's channel (or Redis is lost: then it hears this node's events)."""
        async with super().subscribe(site, wants, own_only=own_only) as feed:
            if own_only:
                yield feed
                return
            try:  # joined inside: a stream cancelled while waiting for Redis's word still leaves
                await self._on_bus_loop(self._join(site))
                yield feed
            finally:
                await self._on_bus_loop(self._leave(site))

    async def _on_bus_loop(self, work: Coroutine[Any, Any, None]) -> None:
        loop = self._loop
        if loop is None:
            work.close()
        elif asyncio.get_running_loop() is loop:
            await work
        else:  # a feed on another loop: the subscription's connection belongs to the bus's
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, loop))

    async def _join(self, site: str) -> None:
        self._sharing[site] = self._sharing.get(site, 0) + 1
        pubsub = self._pubsub
        if site in self._heard_sites or pubsub is None:
            return  # already heard, or Redis lost (events made here are handed out locally meanwhile)
        confirmed = self._confirmed.setdefault(site, asyncio.Event())
        if site not in self._asked:
            self._asked.add(site)
            try:
                await pubsub.subscribe(self.channel(site))
            except (RedisError, OSError):
                return  # the listener notices the broken connection and drops every feed
        with suppress(TimeoutError):
            await asyncio.wait_for(confirmed.wait(), SUBSCRIBE_WAIT_S)

    async def _leave(self, site: str) -> None:
        left = self._sharing.get(site, 0) - 1
        if left > 0:
            self._sharing[site] = left
            return
        self._sharing.pop(site, None)
        self._confirmed.pop(site, None)
        pubsub = self._pubsub
        if pubsub is not None and site in self._asked:
            self._asked.discard(site)
            self._heard_sites.discard(site)
            with suppress(RedisError, OSError):
                await pubsub.unsubscribe(self.channel(site))

    def _site_of(self, channel: bytes | str) -> str | None:
        name = channel.decode() if isinstance(channel, bytes) else channel
        prefix = self.channel("")
        return name[len(prefix):] if name.startswith(prefix) else None

    async def _send(self) -> None:
        while True:
            batch = [await self._outbox.get()]
            while not self._outbox.empty() and len(batch) < PUBLISH_BATCH:
                batch.append(self._outbox.get_nowait())
            if not self.link.available:
                for event in batch:
                    self._deliver(event, "shared")
                continue
            heard = []
            for event in batch:
                if event.site in self._heard_sites:
                    heard.append(event)
                else:  # this node does not hear the site from Redis now: its own feeds get it directly
                    self._deliver(event, "shared")
            try:
                node = self.link.node
                messages = [(self.channel(event.site), event_message(event, node)) for event in batch]
                if len(messages) == 1:
                    await self.link.aio.publish(*messages[0])
                else:  # the events made while the last ones were sent: one round trip, in order
                    async with self.link.aio.pipeline(transaction=False) as pipe:
                        for channel, message in messages:
                            pipe.publish(channel, message)
                        await pipe.execute()
            except (RedisError, OSError) as exc:
                self.link.failed(PIECE, exc)
                for event in heard:
                    self._deliver(event, "shared")

    async def _listen(self) -> None:
        lost = False
        while not self._closing:
            client = self.link.listener()
            pubsub = client.pubsub()
            try:
                # In one step: a site joined from now on is asked of this connection by its joiner.
                self._pubsub, self._asked = pubsub, set(self._sharing)
                await pubsub.subscribe(self._control_channel(), *(self.channel(s) for s in self._asked))
                while not self._closing:
                    message = await pubsub.get_message(timeout=5.0)
                    if message is None:
                        continue
                    kind = message.get("type")
                    if kind == "message":
                        self._heard(message["data"])
                        continue
                    up = kind in ("subscribe", "unsubscribe") and self._confirm(message["channel"],
                                                                                kind == "subscribe")
                    if up and lost:
                        # Events of other nodes went by meanwhile: every reader reads the state again.
                        self._drop_all()
                        self.link.worked(PIECE)
                        lost = False
            except (RedisError, OSError) as exc:
                self._disconnected()
                self.link.failed(PIECE, exc)
                if not lost:
                    self._drop_all()
                lost = True
            except Exception:  # the node's only ear on the other nodes: it must not go deaf for good
                self._disconnected()
                log.exception("the floor bus's subscription failed; subscribing again")
                self._drop_all()
                lost = True
            finally:
                with suppress(RedisError, OSError):
                    await pubsub.aclose()
                with suppress(RedisError, OSError):
                    await client.aclose()
            await asyncio.sleep(RESUBSCRIBE_AFTER_S)

    def _confirm(self, channel: bytes | str, subscribed: bool) -> bool:
        """Redis confirmed a (un)subscription; True for the connection's own channel (it is up)."""
        name = channel.decode() if isinstance(channel, bytes) else channel
        if name == self._control_channel():
            if subscribed:
                self._subscribed.set()
            return subscribed
        site = self._site_of(name)
        if site is None:
            return False
        if subscribed:
            self._heard_sites.add(site)
            waiting = self._confirmed.get(site)
            if waiting is not None:
                waiting.set()
        else:
            self._heard_sites.discard(site)
        return False

    def _disconnected(self) -> None:
        self._subscribed.clear()
        self._pubsub = None
        self._heard_sites.clear()
        self._asked.clear()
        for waiting in self._confirmed.values():
            waiting.set()  # nobody waits on a lost connection: the feed is dropped and comes back
        self._confirmed.clear()

    def _heard(self, data: bytes | str) -> None:
        try:
            event, _node = message_event(data)
        except (ValueError, KeyError, TypeError):
            log.warning("a floor message on Redis is not an event; ignored")
            return
        # One object for every feed of this node: the call board makes each frame once per event. The
        # feeds of own events only had this node's already, in memory.
        self._deliver(event, "shared")
