"""The signaling relay: kiosk and staff WebSockets, authentication, limits, heartbeat, routing.

``SignalingHub`` is mounted by the hall server through ``hub.api_router()``; it knows the hall
only through the plain callables of ``AssistDirectory``. Messages follow ``protocol``; who gets
a call is decided by a ``CallRouting`` (in memory here).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from remote_assist import protocol
from remote_assist.call_ledger import CallLedger, CallRecorder
from remote_assist.protocol import Role
from remote_assist.ratelimit import TokenBucket
from remote_assist.routing import CallRouting, Endpoint, InMemoryRouting, Outbound, RoutingLimits
from remote_assist.schema import MessageError
from remote_assist.turn import IceConfig

log = logging.getLogger(__name__)

POLICY_VIOLATION = 1008
# Errors after which the connection is not worth keeping: the peer does not speak the protocol.
FATAL_CODES = frozenset(
    {"invalid_json", "not_an_object", "message_too_large", "binary_not_supported", "rate_limited"}
)
RELAYED = frozenset({"offer", "answer", "candidate"})
PING = {"type": "ping"}


class KioskLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def site(self) -> str: ...


class StaffLike(Protocol):
    @property
    def username(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def display_name(self) -> str: ...


@dataclass(frozen=True)
class AssistDirectory:
    """What the relay needs from the hall, as plain callables (sync; run off the event loop)."""

    kiosk_for_token: Callable[[str], KioskLike | None]
    staff_for_token: Callable[[str], StaffLike | None]
    site_staffed: Callable[[str, datetime], tuple[bool, datetime | None]]
    now: Callable[[], datetime]
    # The site's own wait limit for callers (None: the node's default, RoutingLimits.wait_limit_s).
    wait_limit_for: Callable[[str], float | None] = lambda _site: None
    # Each call's transitions, for the hall's statistics (CallLedger).
    record_call: CallRecorder = lambda _kind, _site, _at, _dims: None


@dataclass(frozen=True)
class SignalingSettings:
    heartbeat_interval_s: float = 1.5
    heartbeat_timeout_s: float = 4.0  # plus one tick: a vanished peer is noticed within 5 s
    # A kiosk with no call has nobody waiting to learn that it vanished: ping it rarely, so that
    # a node holding a thousand idle kiosk sockets spends its time routing calls.
    idle_heartbeat_interval_s: float = 15.0
    idle_heartbeat_timeout_s: float = 40.0
    max_message_bytes: int = protocol.MAX_MESSAGE_BYTES
    rate_per_s: float = 20.0
    rate_burst: int = 60
    send_timeout_s: float = 3.0
    # A socket opened without ?token= must send {"type": "auth", "token"} first, within this time.
    auth_timeout_s: float = 5.0
    staff_roles: tuple[str, ...] = ("agent", "admin")
    ice: IceConfig = field(default_factory=IceConfig)
    limits: RoutingLimits = field(default_factory=RoutingLimits)

    def __post_init__(self) -> None:
        if not 0 < self.heartbeat_interval_s < self.heartbeat_timeout_s:
            raise ValueError("heartbeat interval must be positive and shorter than the timeout")
        if not self.heartbeat_interval_s <= self.idle_heartbeat_interval_s < self.idle_heartbeat_timeout_s:
            raise ValueError(
                "the idle heartbeat must be no faster than the call heartbeat, and shorter than its timeout"
            )
        if self.max_message_bytes < 1024 or self.rate_per_s <= 0 or self.rate_burst < 1:
            raise ValueError("message size and rate limits must be positive")

    @property
    def tick_s(self) -> float:
        """How often the ticker sends pings and looks for silent sockets."""
        return min(0.5, self.heartbeat_interval_s / 3)

    @property
    def vanish_bound_s(self) -> float:
        """The longest a vanished peer can go unnoticed: the silence limit plus one tick."""
        return self.heartbeat_timeout_s + self.tick_s


class Connection:
    """One authenticated socket: an outbound queue drained by its own writer task."""

    def __init__(self, ws: WebSocket, endpoint: Endpoint, site: str, bucket: TokenBucket, now: float) -> None:
        self.ws = ws
        self.endpoint = endpoint
        self.site = site
        self.bucket = bucket
        self.last_seen = now
        self.last_ping = now
        self.outbox: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.closed = asyncio.Event()
        self.close_reason = "left"

    def send(self, message: dict[str, Any]) -> None:
        self.outbox.put_nowait(message)


class SignalingHub:
    """Relay and routing for one node. Create one per app; mount ``api_router()``."""

    def __init__(
        self,
        directory: AssistDirectory,
        settings: SignalingSettings | None = None,
        routing: CallRouting | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.directory = directory
        self.settings = settings or SignalingSettings()
        self.routing: CallRouting = routing or InMemoryRouting(
            self._ice_servers_for, self.settings.limits, wait_limit_for=directory.wait_limit_for
        )
        self.monotonic = monotonic
        self.connections: dict[Endpoint, Connection] = {}
        self.notes: dict[str, str] = {}
        self._next_open: dict[str, datetime | None] = {}
        self._ticker: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.ledger = CallLedger(directory.record_call, directory.now)

    # --- mounting -----------------------------------------------------------------------
    def api_router(self) -> APIRouter:
        router = APIRouter()

        @router.websocket("/ws/assist/kiosk")
        async def kiosk_socket(websocket: WebSocket) -> None:
            await self.serve(websocket, "kiosk")

        @router.websocket("/ws/assist/staff")
        async def staff_socket(websocket: WebSocket) -> None:
            await self.serve(websocket, "staff")

        return router

    def status(self, site: str | None = None) -> dict[str, int]:
        s = self.routing.status(site)
        return {
            "agents_online": s.agents_online,
            "callers_waiting": s.callers_waiting,
            "calls_active": s.calls_active,
        }

    # --- one socket ---------------------------------------------------------------------
    async def serve(self, ws: WebSocket, role: Role) -> None:
        self._loop = asyncio.get_running_loop()
        await ws.accept()
        token = ws.query_params.get("token", "") or await self._first_message_token(ws)
        conn = await self._authenticate(ws, role, token)
        if conn is None:
            return
        writer = asyncio.create_task(self._writer(conn))
        try:
            await self._reader(conn)
        finally:
            await self._drop(conn)
            conn.outbox.put_nowait(None)
            with contextlib.suppress(asyncio.TimeoutError, Exception):
                await asyncio.wait_for(writer, self.settings.send_timeout_s)
            writer.cancel()
            if conn.close_reason == "left":
                await self._close_socket(ws, 1000)
            else:
                await self._close_socket(ws, POLICY_VIOLATION, conn.close_reason)

    async def _first_message_token(self, ws: WebSocket) -> str:
        """The token of a first ``{"type": "auth", "token"}`` message, so it stays out of URLs and logs."""
        try:
            event = await asyncio.wait_for(ws.receive(), self.settings.auth_timeout_s)
        except TimeoutError:
            return ""
        text = event.get("text")
        if event["type"] != "websocket.receive" or not isinstance(text, str) or len(text) > 2048:
            return ""
        with contextlib.suppress(ValueError):
            message = json.loads(text)
            if isinstance(message, dict) and message.get("type") == "auth":
                token = message.get("token")
                return token if isinstance(token, str) else ""
        return ""

    async def disconnect(self, party: Endpoint, reason: str) -> bool:
        """Close a party's socket at once (its token was revoked, its account disabled or signed out).

        ``party`` is ``("kiosk", name)`` or ``("staff", username)``; False when it had no socket.
        """
        conn = self.connections.get(party)
        if conn is None:
            return False
        conn.close_reason = reason
        conn.send(protocol.error("unauthorized", reason))
        await self._drop(conn)
        conn.outbox.put_nowait(None)
        return True

    def disconnect_threadsafe(self, party: Endpoint, reason: str) -> None:
        """``disconnect`` from any thread (a sync route, a command): scheduled on the sockets' loop."""
        loop = self._loop
        if loop is None or loop.is_closed() or party not in self.connections:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            loop.create_task(self.disconnect(party, reason))
        else:
            asyncio.run_coroutine_threadsafe(self.disconnect(party, reason), loop)

    async def _authenticate(self, ws: WebSocket, role: Role, token: str) -> Connection | None:
        now = self.monotonic()
        principal: Any = None
        if token and len(token) <= 512:
            lookup = self.directory.kiosk_for_token if role == "kiosk" else self.directory.staff_for_token
            principal = await asyncio.to_thread(lookup, token)
        if principal is None:
            await self._refuse(ws, "unauthorized", "a valid token is required")
            return None
        bucket = TokenBucket(self.settings.rate_per_s, self.settings.rate_burst, now)
        if role == "kiosk":
            conn = Connection(ws, ("kiosk", principal.name), principal.site, bucket, now)
            hello = {"type": "welcome", "kiosk": principal.name, "site": principal.site}
        else:
            if principal.role not in self.settings.staff_roles:
                await self._refuse(ws, "forbidden", "this account does not take video calls")
                return None
            conn = Connection(ws, ("staff", principal.username), "", bucket, now)
            hello = {"type": "welcome", "agent": {"id": principal.username, "name": principal.display_name}}
        old = self.connections.get(conn.endpoint)
        if old is not None:
            old.close_reason = "replaced"
            old.send(protocol.error("replaced", "signed in again elsewhere"))
            old.outbox.put_nowait(None)
            await self._drop(old)
        self.connections[conn.endpoint] = conn
        if role == "staff":
            self.routing.add_agent(principal.username, principal.display_name, now)
        conn.send({**hello, "heartbeat_s": max(1, round(self.settings.heartbeat_interval_s))})
        self._ensure_ticker()
        log.info("assist %s %s connected", *conn.endpoint)
        return conn

    async def _refuse(self, ws: WebSocket, code: str, message: str) -> None:
        with contextlib.suppress(Exception):
            await ws.send_text(json.dumps(protocol.error(code, message)))
        await self._close_socket(ws, POLICY_VIOLATION)

    async def _reader(self, conn: Connection) -> None:
        role = conn.endpoint[0]
        receive = asyncio.ensure_future(conn.ws.receive())
        closed = asyncio.ensure_future(conn.closed.wait())
        try:
            while True:
                done, _ = await asyncio.wait({receive, closed}, return_when=asyncio.FIRST_COMPLETED)
                if closed in done:
                    return
                event = receive.result()
                if event["type"] == "websocket.disconnect":
                    return
                now = self.monotonic()
                conn.last_seen = now
                try:
                    if not conn.bucket.take(now):
                        raise MessageError("rate_limited", "too many messages")
                    if event.get("text") is None:
                        raise MessageError("binary_not_supported", "messages are JSON text frames")
                    message = protocol.parse_client_message(
                        event["text"], role, max_bytes=self.settings.max_message_bytes
                    )
                    await self._handle(conn, message)
                except MessageError as exc:
                    conn.send(exc.as_json())
                    if exc.code in FATAL_CODES:
                        log.warning("assist %s %s refused: %s", *conn.endpoint, exc.code)
                        conn.close_reason = exc.code
                        return
                receive = asyncio.ensure_future(conn.ws.receive())
        except (WebSocketDisconnect, RuntimeError):
            return
        finally:
            receive.cancel()
            closed.cancel()

    async def _writer(self, conn: Connection) -> None:
        while True:
            message = await conn.outbox.get()
            if message is None:
                return
            try:
                await asyncio.wait_for(conn.ws.send_text(json.dumps(message)), self.settings.send_timeout_s)
            except (TimeoutError, WebSocketDisconnect, RuntimeError, OSError):
                conn.close_reason = "send_failed"
                conn.closed.set()
                return

    async def _close_socket(self, ws: WebSocket, code: int, reason: str | None = None) -> None:
        if ws.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(code, reason), self.settings.send_timeout_s)

    # --- messages -----------------------------------------------------------------------
    async def _handle(self, conn: Connection, message: dict[str, Any]) -> None:
        kind = message["type"]
        now = self.monotonic()
        role, name = conn.endpoint
        out: list[Outbound]
        if kind == "pong":
            return
        if kind in RELAYED:
            out = self.routing.relay(conn.endpoint, message)
        elif kind == "hangup":
            reason = message.get("reason", "normal")
            if reason == "normal":
                reason = f"{role}_hangup"
            if role == "staff" and message.get("note"):
                self.notes[message["call_id"]] = message["note"]
            out = self.routing.hangup(conn.endpoint, message["call_id"], reason, now)
        elif kind == "call":
            staffed, next_open = await asyncio.to_thread(
                self.directory.site_staffed, conn.site, self.directory.now()
            )
            self._next_open[conn.site] = next_open
            if not staffed:
                conn.send(protocol.unavailable("outside_hours", next_open))
                return
            call_id, out = self.routing.kiosk_call(name, conn.site, message["skill"], message["lang"], now)
            self.ledger.queued(call_id, name, conn.site, message["skill"])
            log.info("assist call %s from kiosk %s skill %s", call_id, name, message["skill"])
        elif kind == "presence":
            out = self.routing.presence(name, message["state"], message["skills"], now)
        elif kind == "accept":
            out = self.routing.accept(name, message["call_id"], now)
            log.info("assist call %s accepted by %s", message["call_id"], name)
        elif kind == "decline":
            out = self.routing.decline(name, message["call_id"], now)
        else:  # pragma: no cover - the schema tables and this switch are kept in step
            raise MessageError("unknown_type", f"unhandled type {kind}")
        self._deliver(out)

    def _deliver(self, out: list[Outbound]) -> None:
        self.ledger.observe(out)
        for item in out:
            conn = self.connections.get(item.to)
            if conn is not None:
                conn.send(item.message)

    async def _drop(self, conn: Connection) -> None:
        """Forget a connection once; end or requeue whatever call it had."""
        if self.connections.get(conn.endpoint) is not conn:
            return
        del self.connections[conn.endpoint]
        conn.closed.set()
        role, name = conn.endpoint
        now = self.monotonic()
        vanished = conn.close_reason == "vanished"
        reason = f"{role}_{'vanished' if vanished else 'left'}"
        if role == "kiosk":
            out = self.routing.kiosk_gone(name, now, reason)
            self.ledger.kiosk_gone(name)
        else:
            out = self.routing.remove_agent(name, now, reason)
        self._deliver(out)
        log.info("assist %s %s gone (%s)", role, name, conn.close_reason)

    # --- time ---------------------------------------------------------------------------
    def _ensure_ticker(self) -> None:
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.create_task(self._tick_forever())

    async def _tick_forever(self) -> None:
        while self.connections:
            await asyncio.sleep(self.settings.tick_s)
            await self.tick()

    async def tick(self) -> None:
        """Send due pings, drop silent sockets, apply ring and wait limits."""
        now = self.monotonic()
        settings = self.settings
        for conn in list(self.connections.values()):
            busy = conn.endpoint[0] == "staff" or self.routing.call_of(conn.endpoint) is not None
            timeout = settings.heartbeat_timeout_s if busy else settings.idle_heartbeat_timeout_s
            interval = settings.heartbeat_interval_s if busy else settings.idle_heartbeat_interval_s
            if now - conn.last_seen > timeout:
                conn.close_reason = "vanished"
                await self._drop(conn)
                conn.outbox.put_nowait(None)
            elif now - max(conn.last_ping, conn.last_seen) >= interval:
                conn.last_ping = now
                conn.send(PING)
        self._deliver(self.routing.tick(now, self._next_open.get))

    def _ice_servers_for(self, peer: str) -> list[dict[str, Any]]:
        return self.settings.ice.servers_for(peer, time.time())
