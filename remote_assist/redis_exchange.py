"""The relay's routing shared by several hall nodes through Redis: state, node liveness, delivery.

Keys (``prefix`` is ``assist:``): ``agents`` and ``calls`` hashes of JSON records, each naming the
node that holds its socket, with ``seq`` numbering the callers' line; ``lock`` serialises changes
(a change loads the records, runs the pure routing, writes back what changed); ``at`` maps each
connected endpoint to its node; ``node:<id>`` expires unless its node beats, and ``nodes`` lists
the nodes to watch; ``tick`` is a short lease so one node at a time applies timers. A message for
a socket on another node is published on ``to:<id>``, the channel that node listens on.
``abandoned:<call id>`` (kept a day) marks a lost caller's call as told abandoned, by one node only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import LockError, RedisError

from remote_assist import protocol
from remote_assist.exchange import (
    KIOSK_MOVED,
    NODE_LOST,
    STAFF_NODE_LOST,
    Abandoned,
    Change,
    Deliver,
    Replaced,
    T,
)
from remote_assist.routing import Call, Endpoint, InMemoryRouting, Outbound, RoutingStatus
from remote_assist.routing_codec import (
    CodecError,
    decode_agent,
    decode_call,
    encode_agent,
    encode_call,
)
from remote_assist.schema import MessageError, decode_object

log = logging.getLogger(__name__)
# How long closing waits for the node's loops, and the longest pause between attempts to subscribe again.
_STOP_WITHIN_S = 3.0
_RESUBSCRIBE_MAX_S = 5.0

# Set the endpoint's node and answer the node it had.
_SWAP = (
    "local old = redis.call('HGET', KEYS[1], ARGV[1]) redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) "
    "return old"
)
# Forget the endpoint only if this node still holds it.
_RELEASE = (
    "if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end "
    "return 0"
)


# How long a lost caller's call stays marked as told: far past any grace, and then forgotten.
ABANDONED_MARK_MS = 24 * 3600 * 1000

# The records as read (agents, calls) and the line's last number: what a change is compared with.
Stored = tuple[dict[str, str], dict[str, str], int]


def new_node_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def _field(endpoint: Endpoint) -> str:
    return f"{endpoint[0]}:{endpoint[1]}"


def parse_envelope(raw: str | bytes) -> tuple[Endpoint, dict[str, Any] | None]:
    """A cross-node message: its endpoint, and the message (None: the socket was replaced).

    Raises ``MessageError`` for anything else, so a bad publication is dropped, never delivered.
    """
    body = decode_object(raw, protocol.MAX_MESSAGE_BYTES + 1024)
    to = body.get("to")
    if not (isinstance(to, list) and len(to) == 2 and to[0] in ("kiosk", "staff") and isinstance(to[1], str)):
        raise MessageError("invalid_field", "no endpoint to deliver to", field="to")
    endpoint: Endpoint = (to[0], to[1])
    if body.get("replaced") is True:
        return endpoint, None
    message = body.get("message")
    if not isinstance(message, dict):
        raise MessageError("invalid_field", "no message to deliver", field="message")
    return endpoint, protocol.parse_server_message(json.dumps(message), endpoint[0])


class RedisExchange:
    """One node's view of the shared routing; ``url`` is ``redis://HOST:PORT/N``."""

    def __init__(
        self,
        url: str,
        new_routing: Callable[[str], InMemoryRouting],
        *,
        node: str | None = None,
        prefix: str = "assist:",
        node_ttl_s: float = 5.0,
        beat_s: float = 1.0,
        tick_lease_s: float = 0.4,
        lock_timeout_s: float = 5.0,
        max_connections: int = 32,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 0 < beat_s < node_ttl_s:
            raise ValueError("a node must beat more often than its liveness expires")
        self.url = url
        self.node = node or new_node_id()
        self._new_routing = new_routing
        self._template = new_routing(self.node)
        self.prefix = prefix
        self.node_ttl_s = node_ttl_s
        self.beat_s = beat_s
        self.tick_lease_s = tick_lease_s
        self.lock_timeout_s = lock_timeout_s
        self.max_connections = max_connections
        # Wall time: the routing's instants are compared between nodes.
        self.clock = clock
        self._redis: aioredis.Redis | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self._deliver: Deliver = lambda item: None
        self._replaced: Replaced | None = None
        self._abandoned: Abandoned | None = None
        self._status = RoutingStatus(0, 0, 0, 0)
        self._pubsub: Any = None

    @property
    def routing(self) -> InMemoryRouting:
        return self._template

    def _key(self, name: str) -> str:
        return self.prefix + name

    def _channel(self, node: str) -> str:
        return self._key(f"to:{node}")

    @property
    def redis(self) -> aioredis.Redis:
        if self._redis is None:
            raise MessageError("relay_unavailable", "the relay has not started")
        return self._redis

    # --- life ---------------------------------------------------------------------------
    async def start(self, deliver: Deliver, replaced: Replaced, abandoned: Abandoned | None = None) -> None:
        self._deliver, self._replaced, self._abandoned = deliver, replaced, abandoned
        # A bounded pool: a thousand sockets signing in together wait for a connection instead of
        # opening a thousand (and running into the open-file limit of the node or of Redis).
        pool = aioredis.BlockingConnectionPool.from_url(
            self.url, max_connections=self.max_connections, timeout=self.lock_timeout_s, decode_responses=True
        )
        self._redis = aioredis.Redis(connection_pool=pool)
        try:
            await self._beat_once()
            self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            await self._pubsub.subscribe(self._channel(self.node))
        except RedisError as exc:
            await self._redis.aclose()
            self._redis = None
            raise MessageError("relay_unavailable", f"cannot reach Redis: {type(exc).__name__}") from exc
        self._tasks = [asyncio.create_task(self._beat_forever()), asyncio.create_task(self._listen())]
        log.info("assist node %s joined through Redis", self.node)

    async def close(self) -> None:
        # Bounded: redis-py's reads under a timeout have swallowed a cancel, and a node told to stop
        # waited on its listener for good. The loops also end by themselves once ``_closing`` is set.
        self._closing = True
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=_STOP_WITHIN_S)
            if pending:
                log.warning("assist node %s: %d task(s) did not stop within %.0f s", self.node, len(pending),
                            _STOP_WITHIN_S)
        if self._redis is None:
            return
        # Leaving on purpose: the other nodes end this node's calls at once, not after the expiry.
        with contextlib.suppress(RedisError):
            await self._redis.delete(self._key(f"node:{self.node}"))
        with contextlib.suppress(RedisError, RuntimeError):
            if self._pubsub is not None:
                await self._pubsub.aclose()
            await self._redis.aclose()
        self._redis = None

    async def _beat_once(self) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(self._key(f"node:{self.node}"), "1", px=int(self.node_ttl_s * 1000))
            pipe.sadd(self._key("nodes"), self.node)
            await pipe.execute()

    async def _beat_forever(self) -> None:
        failing = False
        while not self._closing:
            await asyncio.sleep(self.beat_s)
            try:
                await self._beat_once()
                failing = False
            except RedisError as exc:
                if not failing:
                    log.warning("assist node %s cannot beat in Redis: %s", self.node, type(exc).__name__)
                failing = True

    async def _listen(self) -> None:
        pause = 0.0  # seconds between attempts to subscribe again while Redis is away; 0 while it works
        while not self._closing:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except RedisError as exc:
                if not pause:  # said once, not at every attempt
                    log.warning("assist node %s lost its Redis channel: %s", self.node, type(exc).__name__)
                pause = min(_RESUBSCRIBE_MAX_S, max(0.5, pause * 2))
                await asyncio.sleep(pause)
                with contextlib.suppress(RedisError):
                    await self._pubsub.subscribe(self._channel(self.node))
                continue
            if pause:
                log.info("assist node %s has its Redis channel again", self.node)
                pause = 0.0
            if message is not None and message.get("type") == "message":
                await self.receive(message["data"])

    async def receive(self, raw: Any) -> None:
        """One publication on this node's channel; a bad one is logged and dropped."""
        try:
            if not isinstance(raw, str | bytes):
                raise MessageError("invalid_json", "not text")
            endpoint, message = parse_envelope(raw)
        except MessageError as exc:
            log.warning("assist node %s dropped a bad cross-node message: %s", self.node, exc.code)
            return
        if message is None:
            if self._replaced is not None:
                await self._replaced(endpoint)
        else:
            self._deliver(Outbound(endpoint, message))

    # --- endpoints ----------------------------------------------------------------------
    async def attach(self, endpoint: Endpoint) -> None:
        try:
            old = await self.redis.eval(_SWAP, 1, self._key("at"), _field(endpoint), self.node)
        except RedisError as exc:
            log.warning("assist node %s cannot attach a %s: %s", self.node, endpoint[0], type(exc).__name__)
            raise MessageError("relay_unavailable", "the relay cannot reach Redis") from exc
        if not old or old == self.node:
            return
        await self._publish([(old, json.dumps({"to": list(endpoint), "replaced": True}))])
        role, name = endpoint
        if role == "kiosk":
            await self.change(lambda r, at: (None, r.kiosk_lost(name, at, KIOSK_MOVED)))
        else:
            await self.change(lambda r, at: (None, r.remove_agent(name, at, "staff_left")))

    async def detach(self, endpoint: Endpoint) -> bool:
        try:
            return bool(await self.redis.eval(_RELEASE, 1, self._key("at"), _field(endpoint), self.node))
        except RedisError as exc:
            log.warning("assist node %s cannot release %s: %s", self.node, endpoint[0], type(exc).__name__)
            return False

    # --- changes ------------------------------------------------------------------------
    async def change(self, change: Change[T]) -> T:
        try:
            lock = self.redis.lock(
                self._key("lock"), timeout=self.lock_timeout_s, sleep=0.002,
                blocking_timeout=self.lock_timeout_s,
            )
            async with lock:
                routing, stored = await self._load()
                # No node's ledger holds a caller whose node went away: whichever change ends its
                # call (grace or wait limit run out, the kiosk gone again) tells it abandoned.
                orphans = [c for c in routing.calls.values() if c.orphaned_at is not None]
                result, out = change(routing, self.clock())
                await self._save(routing, stored)
        except LockError as exc:
            raise MessageError("relay_busy", "the relay is busy; try again") from exc
        except RedisError as exc:
            raise MessageError("relay_unavailable", "the relay cannot reach Redis") from exc
        await self._send(out)
        await self.abandon([c for c in orphans if c.call_id not in routing.calls])
        return result

    async def abandon(self, calls: list[Call]) -> None:
        """Tell each call abandoned unless a node already did (a lock outlived by a slow change)."""
        if not calls or self._abandoned is None:
            return
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for call in calls:
                    pipe.set(self._key(f"abandoned:{call.call_id}"), self.node, nx=True, px=ABANDONED_MARK_MS)
                first = await pipe.execute()
        except RedisError:
            log.warning("assist node %s could not mark %d lost callers abandoned", self.node, len(calls))
            return
        for call, mine in zip(calls, first, strict=True):
            if mine:
                self._abandoned(call)

    async def _load(self) -> tuple[InMemoryRouting, Stored]:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(self._key("agents"))
            pipe.hgetall(self._key("calls"))
            pipe.get(self._key("seq"))
            agents_raw, calls_raw, seq_raw = await pipe.execute()
        agents, calls = {}, {}
        for username, raw in agents_raw.items():
            try:
                agents[username] = decode_agent(raw)
            except CodecError as exc:
                log.warning("assist: an unreadable agent record was dropped: %s", exc)
        for call_id, raw in calls_raw.items():
            try:
                calls[call_id] = decode_call(raw)
            except CodecError as exc:
                log.warning("assist: an unreadable call record was dropped: %s", exc)
        routing = self._new_routing(self.node)
        last_seq = int(seq_raw) if seq_raw and seq_raw.isdigit() else 0
        routing.load(agents, calls, last_seq)
        return routing, (agents_raw, calls_raw, last_seq)

    async def _save(self, routing: InMemoryRouting, stored: Stored) -> None:
        agents_raw, calls_raw, last_seq = stored
        agents = {name: encode_agent(agent) for name, agent in routing.agents.items()}
        calls = {call_id: encode_call(call) for call_id, call in routing.calls.items()}
        async with self.redis.pipeline(transaction=False) as pipe:
            for key, now, before in (("agents", agents, agents_raw), ("calls", calls, calls_raw)):
                changed: dict[Any, Any] = {k: v for k, v in now.items() if before.get(k) != v}
                if changed:
                    pipe.hset(self._key(key), mapping=changed)
                gone = [k for k in before if k not in now]
                if gone:
                    pipe.hdel(self._key(key), *gone)
            seq = max([last_seq, *(call.seq for call in routing.calls.values())])
            if seq > last_seq:
                pipe.set(self._key("seq"), seq)
            await pipe.execute()
        self._status = routing.status()

    async def _send(self, out: list[Outbound]) -> None:
        """Deliver here what is held here (or by nobody), publish the rest to its node's channel."""
        if not out:
            return
        try:
            nodes = await self.redis.hmget(self._key("at"), [_field(item.to) for item in out])
        except RedisError:
            log.warning("assist node %s cannot look up where %d messages go", self.node, len(out))
            return
        remote: list[tuple[str, str]] = []
        for item, node in zip(out, nodes, strict=True):
            if node is None or node == self.node:
                self._deliver(item)
            else:
                remote.append((str(node), json.dumps({"to": list(item.to), "message": item.message})))
        await self._publish(remote)

    async def _publish(self, messages: list[tuple[str, str]]) -> None:
        if not messages:
            return
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for node, text in messages:
                    pipe.publish(self._channel(node), text)
                await pipe.execute()
        except RedisError:
            log.warning("assist node %s could not publish %d messages", self.node, len(messages))

    # --- time and counts ----------------------------------------------------------------
    async def tick(self, next_open: Callable[[str], datetime | None]) -> None:
        try:
            lease_ms = int(self.tick_lease_s * 1000)
            lease = await self.redis.set(self._key("tick"), self.node, nx=True, px=lease_ms)
            if not lease:
                return
            dead = await self._dead_nodes()
        except RedisError as exc:
            raise MessageError("relay_unavailable", "the relay cannot reach Redis") from exc

        def due(r: InMemoryRouting, at: float) -> tuple[None, list[Outbound]]:
            out: list[Outbound] = []
            for agent in [a for a in r.agents.values() if a.node in dead]:
                out += r.remove_agent(agent.username, at, STAFF_NODE_LOST)
            lost = [c for c in r.calls.values() if c.node in dead and c.orphaned_at is None]
            # Waiting callers step aside first, so that an agent freed by an ended talk is not rung for them.
            for call in sorted(lost, key=lambda c: c.state == "active"):
                out += r.kiosk_lost(call.kiosk, at, NODE_LOST)
            return None, out + r.tick(at, next_open)

        await self.change(due)
        if dead:
            await self._forget_nodes(dead)

    async def _dead_nodes(self) -> set[str]:
        nodes = sorted(str(n) for n in await self.redis.smembers(self._key("nodes")) if n != self.node)
        if not nodes:
            return set()
        async with self.redis.pipeline(transaction=False) as pipe:
            for node in nodes:
                pipe.exists(self._key(f"node:{node}"))
            flags = await pipe.execute()
        return {node for node, flag in zip(nodes, flags, strict=True) if not flag}

    async def _forget_nodes(self, dead: set[str]) -> None:
        names = ", ".join(sorted(dead))
        log.warning("assist: node(s) %s went away; their calls ended or wait to resume", names)
        try:
            held = await self.redis.hgetall(self._key("at"))
            stale = [endpoint for endpoint, node in held.items() if node in dead]
            async with self.redis.pipeline(transaction=False) as pipe:
                if stale:
                    pipe.hdel(self._key("at"), *stale)
                pipe.srem(self._key("nodes"), *dead)
                await pipe.execute()
        except RedisError:
            log.warning("assist: the endpoints of gone nodes could not be forgotten; retrying next tick")

    async def status(self, site: str | None = None) -> RoutingStatus:
        try:
            routing, _stored = await self._load()
        except RedisError as exc:
            raise MessageError("relay_unavailable", "the relay cannot reach Redis") from exc
        self._status = routing.status()
        return routing.status(site)

    def cached_status(self, site: str | None = None) -> RoutingStatus:
        return self._status
