"""The floor bus of several nodes: each event is published on its site's Redis channel, and every node
hands what its subscription receives to its own feeds (calling screens, phone pages, pads on any node).

Redis lost: events made here still reach this node's feeds (published locally), and every feed is
dropped when the subscription breaks and again when it is back, so each reader reads the state again
(from the database, which every node shares) rather than miss what another node published meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import suppress
from datetime import datetime
from typing import Any

from redis.exceptions import RedisError

from hall_server.state.floor_bus import FloorBus, FloorEvent
from hall_server.state.redis_link import RESUBSCRIBE_AFTER_S, RedisLink
from hall_server.state.task_stop import stop_tasks

log = logging.getLogger(__name__)
PIECE = "floor events"
# Events waiting for the publisher while Redis is slow: past this, this node's feeds get them directly.
OUTBOX_LIMIT = 10_000


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
    """Publishes on ``hall:floor:<site>``; one pattern subscription per node fans out to its feeds."""

    def __init__(self, link: RedisLink) -> None:
        super().__init__()
        self.link = link
        self._loop: asyncio.AbstractEventLoop | None = None
        self._outbox: asyncio.Queue[FloorEvent] = asyncio.Queue(OUTBOX_LIMIT)
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribed = asyncio.Event()
        self._closing = False

    def channel(self, site: str) -> str:
        return self.link.key("floor", site)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._send())]
        # Serve only once subscribed: an event published before would reach no feed of this node.
        with suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), 5.0)

    async def close(self) -> None:
        loop, self._loop = self._loop, None
        self._closing = True
        await stop_tasks(self._tasks, "the floor bus")
        while not self._outbox.empty():
            self._deliver(self._outbox.get_nowait())
        if loop is not None:
            self._drop_all()

    def publish(self, event: FloorEvent) -> None:
        """Queued for the publisher on the server's loop: a worker thread never waits on Redis."""
        loop = self._loop
        if loop is None:
            self._deliver(event)
            return
        try:
            loop.call_soon_threadsafe(self._queue_out, event)
        except RuntimeError:  # the loop has closed: the server is stopping
            self._deliver(event)

    def _queue_out(self, event: FloorEvent) -> None:
        try:
            self._outbox.put_nowait(event)
        except asyncio.QueueFull:
            self._deliver(event)

    async def _send(self) -> None:
        while True:
            event = await self._outbox.get()
            if not self._subscribed.is_set() or not self.link.available:
                # This node hears nothing from Redis now: its own feeds get the event directly.
                self._deliver(event)
                if not self.link.available:
                    continue
            try:
                await self.link.aio.publish(self.channel(event.site), event_message(event, self.link.node))
            except (RedisError, OSError) as exc:
                self.link.failed(PIECE, exc)
                if self._subscribed.is_set():
                    self._deliver(event)

    async def _listen(self) -> None:
        lost = False
        while not self._closing:
            client = self.link.listener()
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(self.channel("*"))
                self._subscribed.set()
                if lost:  # events of other nodes went by meanwhile: every reader reads the state again
                    self._drop_all()
                    self.link.worked(PIECE)
                    lost = False
                while not self._closing:
                    message = await pubsub.get_message(timeout=5.0)
                    if message is not None and message.get("type") == "pmessage":
                        self._heard(message["data"])
            except (RedisError, OSError) as exc:
                self._subscribed.clear()
                self.link.failed(PIECE, exc)
                if not lost:
                    self._drop_all()
                lost = True
            except Exception:  # the node's only ear on the other nodes: it must not go deaf for good
                self._subscribed.clear()
                log.exception("the floor bus's subscription failed; subscribing again")
                self._drop_all()
                lost = True
            finally:
                with suppress(RedisError, OSError):
                    await pubsub.aclose()
                with suppress(RedisError, OSError):
                    await client.aclose()
            await asyncio.sleep(RESUBSCRIBE_AFTER_S)

    def _heard(self, data: bytes | str) -> None:
        try:
            event, node = message_event(data)
        except (ValueError, KeyError, TypeError):
            log.warning("a floor message on Redis is not an event; ignored")
            return
        # One object for every feed of this node: the call board makes each frame once per event.
        self._deliver(event, own=node == self.link.node)
