"""Access news between nodes over the Redis channel ``hall:access``: a sign-out on one node ends the
session's cached token on every node within the time Redis takes to pass a message.

Redis lost: word cannot pass; a node's token cache holds a session at most its 10 s life, and when the
subscription is back (or lost) the node forgets every cached token, so that missed word costs nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import suppress

from redis.exceptions import RedisError

from hall_server.state.access_news import AccessNews
from hall_server.state.access_watch import Party
from hall_server.state.redis_link import RESUBSCRIBE_AFTER_S, RedisLink
from hall_server.state.task_stop import stop_tasks

log = logging.getLogger(__name__)
PIECE = "access news"
_KINDS = frozenset({"kiosk", "staff"})


class RedisAccessNews(AccessNews):
    def __init__(self, link: RedisLink) -> None:
        super().__init__()
        self.link = link
        self.channel = link.key("access")
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self._closing = False

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen())
        with suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), 5.0)

    async def close(self) -> None:
        self._closing = True
        if self._task is not None:
            await stop_tasks([self._task], "the access news")

    def tell(self, party: Party, reason: str, digest: str | None) -> None:
        if not self.link.available:
            return
        word = {"node": self.link.node, "kind": party[0], "name": party[1], "reason": reason,
                "digest": digest}
        try:
            self.link.sync.publish(self.channel, json.dumps(word))
        except (RedisError, OSError) as exc:
            self.link.failed(PIECE, exc)

    async def _listen(self) -> None:
        lost = False
        while not self._closing:
            client = self.link.listener()
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self._subscribed.set()
                if lost:
                    await asyncio.to_thread(self.gap)
                    self.link.worked(PIECE)
                    lost = False
                while not self._closing:
                    message = await pubsub.get_message(timeout=5.0)
                    if message is not None and message.get("type") == "message":
                        await self._heard(message["data"])
            except (RedisError, OSError) as exc:
                self._subscribed.clear()
                self.link.failed(PIECE, exc)
                if not lost:
                    await asyncio.to_thread(self.gap)
                lost = True
            except Exception:  # the node's only ear on the other nodes: it must not go deaf for good
                self._subscribed.clear()
                log.exception("the access news subscription failed; subscribing again")
                await asyncio.to_thread(self.gap)
                lost = True
            finally:
                with suppress(RedisError, OSError):
                    await pubsub.aclose()
                with suppress(RedisError, OSError):
                    await client.aclose()
            await asyncio.sleep(RESUBSCRIBE_AFTER_S)

    async def _heard(self, data: bytes | str) -> None:
        try:
            word = json.loads(data)
            kind, name, reason, digest = word["kind"], word["name"], word["reason"], word["digest"]
            node = word["node"]
        except (ValueError, KeyError, TypeError):
            log.warning("access news on Redis is not understood; ignored")
            return
        if node == self.link.node:
            return  # this node acted when it told
        if kind not in _KINDS or not isinstance(name, str) or not isinstance(reason, str) \
                or not (digest is None or isinstance(digest, str)):
            log.warning("access news on Redis is not understood; ignored")
            return
        # The hall closes sockets and takes locks: off the event loop.
        await asyncio.to_thread(self.heard, (kind, name), reason, digest)
