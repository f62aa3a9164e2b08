"""A hall node's connection to the Redis that several nodes share (DESIGN §4.9): its clients, the check
made at start, and the outage log (Redis lost: each piece serves from this node's memory until it is back).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time

import redis
import redis.asyncio
from redis.exceptions import RedisError

from hall_server.config import ConfigError

log = logging.getLogger(__name__)
# Keys and channels are "hall:<db>:...": pub/sub channels belong to no Redis database, so the database
# number in the URL is what keeps two halls on one Redis apart (and the tests' halls).
KEY_PREFIX = "hall:"
# A Redis that does not answer on a loopback or LAN within this is treated as lost: a request must not
# hang on it.
COMMAND_TIMEOUT_S = 0.5
# After a failed command the node keeps off Redis this long, so an outage costs one timeout a second,
# not one a request.
RETRY_AFTER_S = 1.0
# How long a listener waits before it subscribes again after losing its connection.
RESUBSCRIBE_AFTER_S = 0.5


def redis_address(url: str) -> tuple[str, int]:
    """``host:port/db`` of a Redis URL without its password (said in messages and logs), and the db."""
    try:
        kwargs = redis.connection.parse_url(url)
    except ValueError as exc:
        raise ConfigError(f"redis_url_invalid: --redis: not a Redis URL ({exc})") from exc
    db = int(kwargs.get("db", 0))
    where = kwargs.get("path") or f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"
    return f"{where}/{db}", db


class RedisLink:
    """One node's clients of the shared Redis: ``sync`` for worker threads, ``aio`` for the event loop,
    ``listener()`` for subscriptions; ``available``/``failed``/``worked`` track an outage."""

    def __init__(self, url: str) -> None:
        self.address, db = redis_address(url)
        self.prefix = f"{KEY_PREFIX}{db}:"
        self.url = url
        # Messages a node publishes come back to it too; the node id tells its own apart.
        self.node = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.sync = redis.Redis.from_url(url, socket_timeout=COMMAND_TIMEOUT_S,
                                         socket_connect_timeout=COMMAND_TIMEOUT_S)
        self.aio = redis.asyncio.Redis.from_url(url, socket_timeout=COMMAND_TIMEOUT_S,
                                                socket_connect_timeout=COMMAND_TIMEOUT_S)
        self._lock = threading.Lock()
        self._down: dict[str, float] = {}
        self._retry_at = 0.0

    def check(self) -> None:
        """At start: ConfigError ``redis_unreachable`` unless Redis answers."""
        try:
            self.sync.ping()
        except (RedisError, OSError) as exc:
            raise ConfigError(f"redis_unreachable: cannot reach Redis at {self.address} ({exc}); start it, "
                              "or serve one node without --redis") from exc

    def listener(self) -> redis.asyncio.Redis:
        """A client for one subscription: it waits for messages as long as it must, but notices a dead
        connection by pinging."""
        return redis.asyncio.Redis.from_url(self.url, socket_connect_timeout=COMMAND_TIMEOUT_S,
                                            health_check_interval=2)

    @property
    def available(self) -> bool:
        """False for a second after a failure: the caller serves from memory without trying."""
        return time.monotonic() >= self._retry_at

    def failed(self, piece: str, exc: BaseException) -> None:
        """A command of ``piece`` failed: logged once per outage and piece."""
        now = time.monotonic()
        with self._lock:
            self._retry_at = now + RETRY_AFTER_S
            first = piece not in self._down
            self._down.setdefault(piece, now)
        if first:
            log.warning("redis lost (%s at %s: %s); this node serves %s from its own memory until it is back",
                        piece, self.address, exc, piece)

    def worked(self, piece: str) -> None:
        """A command of ``piece`` succeeded: an outage it was in is over (logged once)."""
        if not self._down:
            return
        with self._lock:
            since = self._down.pop(piece, None)
        if since is not None:
            log.warning("redis back (%s at %s) after %.1f s", piece, self.address, time.monotonic() - since)

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    async def close(self) -> None:
        await self.aio.aclose()
        self.sync.close()
