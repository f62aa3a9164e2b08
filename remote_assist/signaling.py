"""The signaling relay: kiosk and staff WebSockets, authentication, limits, heartbeat, routing.

``SignalingHub`` is mounted by the hall server through ``hub.api_router()``; it knows the hall
only through the plain callables of ``AssistDirectory``. Messages follow ``protocol``; who gets
a call is decided by the routing behind a ``CallExchange`` (this process's memory, or Redis shared
by several nodes).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from remote_assist import protocol
from remote_assist.assist_directory import AssistDirectory
from remote_assist.call_ledger import CallLedger
from remote_assist.exchange import NODE_LOST, CallExchange, LocalExchange
from remote_assist.protocol import Role
from remote_assist.ratelimit import TokenBucket
from remote_assist.routing import Endpoint, InMemoryRouting, Outbound, RoutingLimits
from remote_assist.schema import MessageError
from remote_assist.signaling_settings import SignalingSettings

__all__ = ["AssistDirectory", "RoutingLimits", "SignalingHub", "SignalingSettings"]

log = logging.getLogger(__name__)

POLICY_VIOLATION = 1008
# Errors after which the connection is not worth keeping: the peer does not speak the protocol.
FATAL_CODES = frozenset(
    {"invalid_json", "not_an_object", "message_too_large", "binary_not_supported", "rate_limited"}
)
RELAYED = frozenset({"offer", "answer", "candidate"})
SERVER_STOPPING = 1012  # the code the ASGI server gives a socket it closes because it shuts down
PING = {"type": "ping"}


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
        # A kiosk between its "call" and the call's end: it is pinged at the call's pace.
        self.calling = False

    def send(self, message: dict[str, Any]) -> None:
        self.outbox.put_nowait(message)


class SignalingHub:
    """Relay and routing for one node. Create one per app; mount ``api_router()``."""

    def __init__(
        self,
        directory: AssistDirectory,
        settings: SignalingSettings | None = None,
        routing: InMemoryRouting | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        *,
        exchange: Callable[[SignalingHub], CallExchange] | None = None,
    ) -> None:
        self.directory = directory
        self.settings = settings or SignalingSettings()
        self.monotonic = monotonic
        self.exchange: CallExchange = (
            exchange(self)
            if exchange is not None
            else LocalExchange(routing or self.new_routing(), monotonic)
        )
        self._started = False
        self._start_lock = asyncio.Lock()
        self.connections: dict[Endpoint, Connection] = {}
        self.notes: dict[str, str] = {}
        self._next_open: dict[str, datetime | None] = {}
        self._ticker: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.ledger = CallLedger(directory.record_call, directory.now)
        # This node is shutting down (an upgrade, a restart): its waiting callers keep their place.
        self.stopping = False

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

    @property
    def routing(self) -> InMemoryRouting:
        return self.exchange.routing

    def new_routing(self, node: str = "") -> InMemoryRouting:
        """An empty routing with this relay's limits (an exchange loads shared state into it)."""
        limits, wait_limit_for = self.settings.limits, self.directory.wait_limit_for
        return InMemoryRouting(self._ice_servers_for, limits, wait_limit_for=wait_limit_for, node=node)

    def status(self, site: str | None = None) -> dict[str, int]:
        """The counts as this node last saw them (exact on one node)."""
        return self._counts(self.exchange.cached_status(site))

    async def current_status(self, site: str | None = None) -> dict[str, int]:
        """The counts of the whole hall, read now (a kiosk may ask before any socket started the relay)."""
        await self._start_exchange()
        return self._counts(await self.exchange.status(site))

    async def close(self) -> None:
        await self.exchange.close()

    @staticmethod
    def _counts(s: Any) -> dict[str, int]:
        return {
            "agents_online": s.agents_online,
            "callers_waiting": s.callers_waiting,
            "calls_active": s.calls_active,
        }

    # --- one socket ---------------------------------------------------------------------
    async def serve(self, ws: WebSocket, role: Role) -> None:
        self._loop = asyncio.get_running_loop()
        await ws.accept()
        try:
            await self._start_exchange()
        except MessageError as exc:
            log.warning("assist %s socket refused: %s", role, exc.code)
            await self._refuse(ws, exc.code, str(exc))
            return
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

    async def _start_exchange(self) -> None:
        # Sockets arriving together wait for one start; a failed start is tried again by the next.
        # Once started this takes no turn of the loop, so sockets keep the order they came in.
        if self._started:
            return
        async with self._start_lock:
            if not self._started:
                await self.exchange.start(self._deliver_one, self._replaced, self.ledger.lost)
                self._started = True

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
        try:
            await self.exchange.attach(conn.endpoint)
            if role == "staff":
                username, display = principal.username, principal.display_name
                await self.exchange.change(lambda r, at: (None, r.add_agent(username, display, at)))
        except MessageError as exc:
            del self.connections[conn.endpoint]
            await self._refuse(ws, exc.code, str(exc))
            return None
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
                    self.stopping |= event.get("code") == SERVER_STOPPING
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
        endpoint = conn.endpoint
        role, name = endpoint
        change = self.exchange.change
        if kind == "pong":
            return
        if kind in RELAYED:
            await change(lambda r, at: (None, r.relay(endpoint, message)))
        elif kind == "hangup":
            reason = message.get("reason", "normal")
            if reason == "normal":
                reason = f"{role}_hangup"
            if role == "staff" and message.get("note"):
                self.notes[message["call_id"]] = message["note"]
            await change(lambda r, at: (None, r.hangup(endpoint, message["call_id"], reason, at)))
        elif kind == "call":
            staffed, next_open = await asyncio.to_thread(
                self.directory.site_staffed, conn.site, self.directory.now()
            )
            self._next_open[conn.site] = next_open
            if not staffed:
                conn.send(protocol.unavailable("outside_hours", next_open))
                return
            site, skill, lang = conn.site, message["skill"], message["lang"]

            def call(r: InMemoryRouting, at: float) -> tuple[tuple[str, bool], list[Outbound]]:
                before = r.call_of(endpoint)
                call_id, out = r.kiosk_call(name, site, skill, lang, at, message.get("call_id"))
                return (call_id, call_id == before), out

            conn.calling = True
            call_id, resumed = await change(call)
            # A call resumed through this node was counted as queued by the node it started on.
            self.ledger.queued(call_id, name, site, skill, tell=not resumed)
            log.info("assist call %s from kiosk %s skill %s%s", call_id, name, skill, " (resumed)" * resumed)
        elif kind == "presence":
            await change(lambda r, at: (None, r.presence(name, message["state"], message["skills"], at)))
        elif kind == "accept":
            await change(lambda r, at: (None, r.accept(name, message["call_id"], at)))
            log.info("assist call %s accepted by %s", message["call_id"], name)
        elif kind == "decline":
            await change(lambda r, at: (None, r.decline(name, message["call_id"], at)))
        else:  # pragma: no cover - the schema tables and this switch are kept in step
            raise MessageError("unknown_type", f"unhandled type {kind}")

    def _deliver_one(self, item: Outbound) -> None:
        """A message for a socket of this node (or for nobody, when it went meanwhile)."""
        self.ledger.observe([item])
        conn = self.connections.get(item.to)
        if conn is None:
            return
        if item.message["type"] in ("ended", "unavailable"):
            conn.calling = False
        conn.send(item.message)

    async def _replaced(self, endpoint: Endpoint) -> None:
        conn = self.connections.get(endpoint)
        if conn is None:
            return
        conn.close_reason = "replaced"
        conn.send(protocol.error("replaced", "signed in again elsewhere"))
        conn.outbox.put_nowait(None)
        await self._drop(conn)

    async def _drop(self, conn: Connection) -> None:
        """Forget a connection once; end or requeue whatever call it had."""
        if self.connections.get(conn.endpoint) is not conn:
            return
        del self.connections[conn.endpoint]
        conn.closed.set()
        role, name = conn.endpoint
        vanished = conn.close_reason == "vanished"
        reason = f"{role}_{'vanished' if vanished else 'left'}"
        moved = False
        try:
            if self.stopping and role == "kiosk" and not isinstance(self.exchange, LocalExchange):
                # Lost, not gone: the kiosk calls again through another node and keeps its place.
                moved = True
                if await self.exchange.detach(conn.endpoint):
                    await self.exchange.change(lambda r, at: (None, r.kiosk_lost(name, at, NODE_LOST)))
            elif await self.exchange.detach(conn.endpoint):
                if role == "kiosk":
                    await self.exchange.change(lambda r, at: (None, r.kiosk_gone(name, at, reason)))
                else:
                    await self.exchange.change(lambda r, at: (None, r.remove_agent(name, at, reason)))
            else:
                moved = True
        except MessageError as exc:
            log.warning("assist %s %s gone but its calls could not be ended: %s", role, name, exc.code)
        if role == "kiosk":
            self.ledger.kiosk_gone(name, moved=moved)
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
            busy = conn.endpoint[0] == "staff" or conn.calling
            timeout = settings.heartbeat_timeout_s if busy else settings.idle_heartbeat_timeout_s
            interval = settings.heartbeat_interval_s if busy else settings.idle_heartbeat_interval_s
            if now - conn.last_seen > timeout:
                conn.close_reason = "vanished"
                await self._drop(conn)
                conn.outbox.put_nowait(None)
            elif now - max(conn.last_ping, conn.last_seen) >= interval:
                conn.last_ping = now
                conn.send(PING)
        try:
            await self.exchange.tick(self._next_open.get)
        except MessageError as exc:
            log.warning("assist routing tick skipped: %s", exc.code)

    def _ice_servers_for(self, peer: str) -> list[dict[str, Any]]:
        return self.settings.ice.servers_for(peer, time.time())
