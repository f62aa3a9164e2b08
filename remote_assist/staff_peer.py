"""A headless agent: signs in on the staff socket, takes a call and answers it with aiortc.

Used to check a hall's relay without a browser, by the tests of the kiosk side and by the benchmark.
It sends the synthetic camera and tone and reads the kiosk's tracks like any peer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import websockets
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.rtcdatachannel import RTCDataChannel

from remote_assist import datachannel, protocol
from remote_assist.call_setup import tls_context
from remote_assist.media import FrameSink, SineTone, SyntheticCamera


class StaffPeer:
    """Signaling plus one peer connection; data-channel messages from the kiosk land in ``dc_inbox``."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.pc: RTCPeerConnection | None = None
        self.channel: RTCDataChannel | None = None
        self.sinks: list[FrameSink] = []
        self.dc_inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.signals: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.channel_open = asyncio.Event()
        self.both_tracks = asyncio.Event()
        self.call_id = ""
        self.answer_offers = True
        self.answer_pings = True
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def connect(cls, url: str, skills: list[str], *, state: str = "available", token: str = "",
                      ca_file: str = "") -> StaffPeer:
        """``url`` is the staff socket, with ``?token=…`` or without it and ``token`` given, which is then
        sent in the first message; a ``wss://`` socket trusts ``ca_file`` (else the system's CAs)."""
        ws = await websockets.connect(url, open_timeout=10, ping_interval=None, ssl=tls_context(url, ca_file))
        peer = cls(ws)
        if token:
            await peer.send({"type": "auth", "token": token})
        await peer.expect("welcome")
        await peer.send({"type": "presence", "state": state, "skills": skills})
        await peer.expect("presence")
        return peer

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed, asyncio.CancelledError):
            async for raw in self.ws:
                message = protocol.parse_server_message(raw, "staff")
                if message["type"] == "ping":
                    if self.answer_pings:
                        await self.send({"type": "pong"})
                    continue
                self.signals.put_nowait(message)

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message, ensure_ascii=False))

    async def expect(self, kind: str) -> dict[str, Any]:
        """The next signaling message of ``kind`` (others before it are dropped)."""
        while True:
            message = await self.signals.get()
            if message["type"] == kind:
                return message

    async def take_call(self) -> str:
        """Accept the next incoming call and answer the kiosk's offer; returns the call id."""
        incoming = await self.expect("incoming")
        self.call_id = incoming["call_id"]
        await self.send({"type": "accept", "call_id": self.call_id})
        accepted = await self.expect("accepted")
        offer = await self.expect("offer")
        if not self.answer_offers:
            return self.call_id
        servers = [
            RTCIceServer(**{k: v for k, v in s.items() if k in ("urls", "username", "credential")})
            for s in accepted["ice_servers"]
        ]
        self.pc = pc = RTCPeerConnection(RTCConfiguration(iceServers=servers))
        pc.addTrack(SyntheticCamera("staff", 320, 240))
        pc.addTrack(SineTone(660))

        @pc.on("track")
        def on_track(track: Any) -> None:
            self.sinks.append(FrameSink(track))
            if len(self.sinks) == 2:
                self.both_tracks.set()

        @pc.on("datachannel")
        def on_channel(channel: RTCDataChannel) -> None:
            self.channel = channel
            channel.on("message", lambda raw: self.dc_inbox.put_nowait(datachannel.parse_kiosk_message(raw)))
            self.channel_open.set()

        await pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        await self.send({"type": "answer", "call_id": self.call_id, "sdp": pc.localDescription.sdp})
        return self.call_id

    async def first_frames(self) -> None:
        """Until a video and an audio frame from the kiosk have been decoded."""
        await self.both_tracks.wait()
        for sink in self.sinks:
            await sink.first_frame.wait()

    def push(self, message: dict[str, Any]) -> None:
        """Send a data-channel message to the kiosk (validated first)."""
        datachannel.parse_staff_message(json.dumps(message))
        if self.channel is None:
            raise RuntimeError("no data channel yet")
        self.channel.send(json.dumps(message, ensure_ascii=False))

    async def next_dc(self, kind: str) -> dict[str, Any]:
        while True:
            message = await self.dc_inbox.get()
            if message["type"] == kind:
                return message

    async def hang_up(self, note: str | None = None) -> None:
        message: dict[str, Any] = {"type": "hangup", "call_id": self.call_id}
        if note:
            message["note"] = note
        await self.send(message)

    async def close(self) -> None:
        for sink in self.sinks:
            await sink.stop()
        if self.pc is not None:
            await self.pc.close()
        self._reader.cancel()
        with contextlib.suppress(Exception):
            await self.ws.close()
