"""The kiosk's side of a video call: signaling client, aiortc peer connection, data channel ``assist``.

``KioskPeer.call()`` runs one call from ``call`` to ``ended`` inside the caller's event loop and
closes the peer connection on every path. A caller still waiting when its hall node vanishes
calls again through the next of its hall URLs (or the same address behind a proxy), and the hall
keeps its place in line. ``python -m remote_assist.kiosk_peer`` is the headless test call for
technicians (DESIGN §6.1, contract), in ``technician_call``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import websockets
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.rtcdatachannel import RTCDataChannel
from aiortc.sdp import candidate_from_sdp
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from remote_assist import datachannel, protocol
from remote_assist.adaptive_track import AdaptiveVideo
from remote_assist.call_setup import (
    AssistCallError,
    CallStats,
    bound_ice_gathering,
    tls_context,
    warm_up,
    ws_url,
)
from remote_assist.media import FrameSink, LocalMedia
from remote_assist.schema import MessageError
from remote_assist.socket_drain import read_all_waiting
from remote_assist.staff_requests import ConsentHandler, EventHandler, PrintHandler, StaffRequests
from remote_assist.technician_call import main

__all__ = [
    "AssistCallError", "CallStats", "ConsentHandler", "EventHandler", "KioskPeer", "PrintHandler",
    "bound_ice_gathering", "main", "warm_up", "ws_url",
]

log = logging.getLogger(__name__)

# Close codes of a hall node going away (shutdown, restart): the caller may go on through another.
NODE_GOING_AWAY = frozenset({1001, 1011, 1012, 1013, 1014})


class KioskPeer:
    """One call at a time for one kiosk. Hand in tracks, a printer and a consent prompt."""

    def __init__(
        self,
        hall_url: str | Sequence[str],
        token: str,
        *,
        media: Callable[[], LocalMedia],
        on_event: EventHandler | None = None,
        printer: PrintHandler | None = None,
        consent: ConsentHandler | None = None,
        devices: Callable[[], dict[str, Any]] | None = None,
        # One STUN retransmission (aioice's first retry is at 0.5 s) fits; the call's budget for an
        # unanswering server is 1 s, set-up included.
        gather_timeout_s: float = 0.8,
        no_media_s: float = 10.0,
        signaling_silence_s: float = 5.0,
        ca_file: str = "",
        # How long a waiting caller whose node vanished tries the hall's addresses again.
        reconnect_s: float = 20.0,
    ) -> None:
        urls = [hall_url] if isinstance(hall_url, str) else list(hall_url)
        if not urls:
            raise AssistCallError("invalid_hall_url", "no hall URL")
        # The token goes in the first message, not the URL: nothing on the way logs it (DESIGN §4.9).
        self.urls = [ws_url(url, "kiosk") for url in urls]
        self.url = self.urls[0]
        self._token = token
        self._tls = {url: tls_context(url, ca_file) for url in self.urls}
        self.reconnect_s = reconnect_s
        self._node_lost = False
        self._media_factory = media
        self._on_event = on_event or (lambda kind, data: None)
        self._requests = StaffRequests(
            send=self.send_to_staff, emit=self._emit, spawn=self._spawn, media=lambda: self.media,
            printer=printer, consent=consent, devices=devices,
        )
        self.gather_timeout_s = gather_timeout_s
        self.no_media_s = no_media_s
        self.signaling_silence_s = signaling_silence_s
        self.stats = CallStats()
        self.call_id: str | None = None
        self.pc: RTCPeerConnection | None = None
        self.channel: RTCDataChannel | None = None
        self.media: LocalMedia | None = None
        self.sinks: list[FrameSink] = []
        # The sent video, stepping down when the kiosk cannot keep up (None before media starts).
        self.sending: AdaptiveVideo | None = None
        self._ws: Any = None
        self._end = asyncio.Event()
        self.connected = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- public -------------------------------------------------------------------------
    async def call(self, skill: str, lang: str = "zh-Hans") -> str:
        """Call, talk until either side ends, and return the end reason."""
        bound_ice_gathering(self.gather_timeout_s)
        self.stats = CallStats(called_at=time.monotonic())
        self._ws = await self._connect(self.urls)
        try:
            # A hall that refuses the kiosk closes at once: its reason is read below, not lost here.
            with contextlib.suppress(ConnectionClosed):
                await self._send({"type": "auth", "token": self._token})
                await self._send({"type": "call", "skill": skill, "lang": lang})
            watchdog = self._spawn(self._watch_media())
            await self._receive_loop()
            while self._node_lost and not self._end.is_set():
                await self._call_elsewhere(skill, lang)
            watchdog.cancel()
        finally:
            await self._close()
        self.stats.ended_at = time.monotonic()
        return self.stats.end_reason or "ended"

    async def hangup(self, reason: str = "normal") -> None:
        """End the call from the kiosk (the citizen pressed hang up, or a timer ran out)."""
        if self.call_id is not None and self._ws is not None:
            with contextlib.suppress(ConnectionClosed):
                await self._send({"type": "hangup", "call_id": self.call_id, "reason": reason})
        self._finish(f"kiosk_{'hangup' if reason == 'normal' else reason}")

    async def send_to_staff(self, message: dict[str, Any]) -> None:
        """Send a data-channel message (chat, consent, device_state …) to the agent."""
        datachannel.parse_kiosk_message(json.dumps(message))
        connected = self.pc is not None and self.pc.connectionState == "connected"
        if self.channel is None or self.channel.readyState != "open" or not connected:
            raise AssistCallError("channel_closed", "no open data channel")
        self.channel.send(json.dumps(message, ensure_ascii=False))

    @property
    def latest_staff_frame(self) -> Any:
        for sink in self.sinks:
            if sink.kind == "video" and sink.latest is not None:
                return sink.latest
        return None

    # --- signaling ----------------------------------------------------------------------
    async def _connect(self, urls: Sequence[str]) -> Any:
        """The first of ``urls`` that answers."""
        error: Exception | None = None
        for url in urls:
            try:
                ws = await websockets.connect(url, open_timeout=10, ping_interval=None, max_size=2**17,
                                              ssl=self._tls[url])
                self.url = url
                return ws
            except ssl.SSLError as exc:
                error = AssistCallError("hall_unreachable", f"the hall's TLS certificate is not trusted "
                                        f"({exc.reason or exc}); hall.ca_file names the CA that signed it")
            except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
                error = exc
        if isinstance(error, AssistCallError):
            raise error
        raise AssistCallError("hall_unreachable", f"cannot reach the hall: {error}") from error

    async def _call_elsewhere(self, skill: str, lang: str) -> None:
        """The node went away while the caller waited: call again through the hall's next address."""
        self._node_lost = False
        self._emit("reconnecting", {})
        # Dropped, not closed: a node that froze never answers the close handshake, and waiting for
        # it (the socket's 10 s close timeout) would keep the caller from its place for nothing.
        with contextlib.suppress(Exception):
            self._ws.transport.abort()
        at = self.urls.index(self.url)
        order = self.urls[at + 1:] + self.urls[: at + 1]
        deadline = time.monotonic() + self.reconnect_s
        while time.monotonic() < deadline and not self._end.is_set():
            try:
                self._ws = await self._connect(order)
                resume = {"call_id": self.call_id} if self.call_id else {}
                await self._send({"type": "auth", "token": self._token})
                await self._send({"type": "call", "skill": skill, "lang": lang, **resume})
            except (AssistCallError, ConnectionClosed) as exc:
                log.info("calling again through the hall's next address failed: %s", exc)
                await asyncio.sleep(0.5)
                continue
            self._emit("reconnected", {})
            await self._receive_loop()
            return
        self._emit("signaling_lost", {})
        self._finish("signaling_lost")

    def _waiting(self) -> bool:
        return self.stats.accepted_at is None and not self._end.is_set()

    async def _send(self, message: dict[str, Any]) -> None:
        await self._ws.send(json.dumps(message))

    async def _receive_loop(self) -> None:
        while not self._end.is_set():
            receive = asyncio.ensure_future(self._ws.recv())
            ended = asyncio.ensure_future(self._end.wait())
            done, _ = await asyncio.wait(
                {receive, ended}, timeout=self.signaling_silence_s, return_when=asyncio.FIRST_COMPLETED
            )
            ended.cancel()
            if receive not in done:
                receive.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await receive
                if self._waiting():
                    self._node_lost = True
                elif not self._end.is_set():
                    self._emit("signaling_lost", {})
                    self._finish("signaling_lost")
                return
            try:
                raw = receive.result()
            except ConnectionClosed as exc:
                if self._waiting() and (exc.rcvd is None or exc.rcvd.code in NODE_GOING_AWAY):
                    self._node_lost = True
                else:
                    self._finish(self.stats.end_reason or "signaling_closed")
                return
            try:
                message = protocol.parse_server_message(raw, "kiosk")
            except MessageError as exc:
                log.warning("bad message from the hall: %s", exc.code)
                continue
            try:
                await self._on_signal(message)
            except ConnectionClosed:
                # The hall closed the socket while the kiosk answered (a pong, an offer): the
                # call is over for the same reason as a silent hall, not a kiosk failure.
                self._emit("signaling_lost", {})
                self._finish(self.stats.end_reason or "signaling_lost")
                return

    async def _on_signal(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        self.stats.messages_in.append(kind)
        if kind == "ping":
            await self._send({"type": "pong"})
            return
        if kind == "queued":
            self.call_id = message["call_id"]
        elif kind == "accepted":
            self.call_id = message["call_id"]
            self.stats.accepted_at = time.monotonic()
            self._emit(kind, message)
            await self._start_media(message["ice_servers"])
            return
        elif kind == "answer" and self.pc is not None:
            await self.pc.setRemoteDescription(RTCSessionDescription(message["sdp"], "answer"))
        elif kind == "candidate" and self.pc is not None:
            await self._add_candidate(message)
        elif kind in ("ended", "unavailable"):
            self._emit(kind, message)
            self._finish(message["reason"])
            return
        elif kind == "error" and message["code"] in ("unauthorized", "replaced"):
            self._emit(kind, message)
            self._finish(message["code"])
            return
        self._emit(kind, message)

    async def _add_candidate(self, message: dict[str, Any]) -> None:
        text = message["candidate"]
        if not text:
            return  # end of candidates
        try:
            candidate = candidate_from_sdp(text.split(":", 1)[1] if text.startswith("candidate:") else text)
        except (ValueError, IndexError):
            log.warning("unreadable ICE candidate ignored")
            return
        candidate.sdpMid = message["sdpMid"]
        candidate.sdpMLineIndex = message["sdpMLineIndex"]
        assert self.pc is not None
        await self.pc.addIceCandidate(candidate)

    # --- media --------------------------------------------------------------------------
    async def _start_media(self, ice_servers: list[dict[str, Any]]) -> None:
        servers = [
            RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
            for s in ice_servers
            if s.get("urls")
        ]
        # An explicit list, even empty: aiortc's own default names a public STUN server.
        pc = RTCPeerConnection(RTCConfiguration(iceServers=servers))
        self.pc = pc
        self.media = self._media_factory()
        if self.media.video is not None:
            self.sending = AdaptiveVideo(self.media.video, *self.media.video_format)
            pc.addTrack(self.sending)
        if self.media.audio is not None:
            pc.addTrack(self.media.audio)
        self.channel = pc.createDataChannel(datachannel.CHANNEL_LABEL)
        self.channel.on("message", self._requests.on_message)
        self.channel.on("open", lambda: self._emit("channel_open", {}))

        @pc.on("track")
        def on_track(track: Any) -> None:
            sink = FrameSink(track)
            self.sinks.append(sink)
            self._spawn(self._note_first_frame(sink))

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            state = pc.connectionState
            if state == "connected" and self.stats.connected_at is None:
                self.stats.connected_at = time.monotonic()
                self.connected.set()
                self._emit("connected", {})
                self._spawn(self._requests.report_devices())
            elif state == "failed":
                log.warning("call %s: the media path failed (ICE)", self.call_id)
                await self.hangup("error")

        await pc.setLocalDescription(await pc.createOffer())
        read_all_waiting(pc)
        await self._send({"type": "offer", "call_id": self.call_id, "sdp": pc.localDescription.sdp})
        self.stats.offer_sent_at = time.monotonic()

    async def _note_first_frame(self, sink: FrameSink) -> None:
        await sink.first_frame.wait()
        if sink.kind == "video":
            self.stats.first_video_at = sink.first_at
            self._emit("first_video", {})
        else:
            self.stats.first_audio_at = sink.first_at

    async def _watch_media(self) -> None:
        """Hang up when nothing has arrived for ``no_media_s`` (aiortc itself notices after ~30 s)."""
        while not self._end.is_set():
            await asyncio.sleep(min(1.0, self.no_media_s / 4))
            started = self.stats.accepted_at
            if started is None:
                continue
            last = max([started] + [s.last_at for s in self.sinks if s.last_at is not None])
            if time.monotonic() - last > self.no_media_s:
                self._emit("no_media", {})
                await self.hangup("no_media")
                return

    # --- endings ------------------------------------------------------------------------
    def _finish(self, reason: str) -> None:
        if not self._end.is_set():
            self.stats.end_reason = reason
            self._end.set()
            log.info("call %s ending: %s", self.call_id, reason)

    async def _close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for sink in self.sinks:
            await sink.stop()
        if self.pc is not None:
            await self.pc.close()
        if self.sending is not None:
            self.sending.stop()
        if self.media is not None:
            self.media.stop()
        if self._ws is not None:
            await self._ws.close()
        self._emit("closed", {"reason": self.stats.end_reason})

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        # A photo or print cut short by the call ending is part of the call, not a kiosk failure:
        # retrieve the error here so it never reaches the application's outermost guard.
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.warning("call task ended early: %s", getattr(exc, "code", type(exc).__name__))

    def _emit(self, kind: str, data: dict[str, Any]) -> None:
        try:
            self._on_event(kind, data)
        except Exception:  # a UI callback must not end the call
            log.exception("event handler failed for %s", kind)



if __name__ == "__main__":
    sys.exit(main())
