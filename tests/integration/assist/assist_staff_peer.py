"""An aiortc staff peer for tests: takes the call, answers the kiosk's offer, uses the data channel."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.rtcdatachannel import RTCDataChannel

from remote_assist import datachannel
from remote_assist.media import FrameSink, SineTone, SyntheticCamera

from .conftest import Peer


class StaffPeer:
    """Signaling plus one peer connection; every message it gets lands in ``inbox`` by type."""

    def __init__(self, signaling: Peer) -> None:
        self.signaling = signaling
        self.pc: RTCPeerConnection | None = None
        self.channel: RTCDataChannel | None = None
        self.sinks: list[FrameSink] = []
        self.dc_inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.channel_open = asyncio.Event()
        self.both_tracks = asyncio.Event()
        self.call_id = ""
        self.answer_offers = True

    @classmethod
    async def connect(cls, url: str, skills: list[str]) -> StaffPeer:
        signaling = await Peer.connect(url)
        await signaling.expect("welcome")
        await signaling.send({"type": "presence", "state": "available", "skills": skills})
        await signaling.expect("presence")
        return cls(signaling)

    async def take_call(self) -> str:
        incoming = await self.signaling.expect("incoming")
        self.call_id = incoming["call_id"]
        await self.signaling.send({"type": "accept", "call_id": self.call_id})
        await self.signaling.expect("accepted")
        offer = await self.signaling.expect("offer")
        if not self.answer_offers:
            return self.call_id
        self.pc = pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
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
        await self.signaling.send({"type": "answer", "call_id": self.call_id, "sdp": pc.localDescription.sdp})
        return self.call_id

    async def first_frames(self) -> None:
        """Until a video and an audio frame from the kiosk have been decoded."""
        await self.both_tracks.wait()
        for sink in self.sinks:
            await sink.first_frame.wait()

    def send(self, message: dict[str, Any]) -> None:
        datachannel.parse_staff_message(json.dumps(message))
        assert self.channel is not None
        self.channel.send(json.dumps(message, ensure_ascii=False))

    async def next_dc(self, kind: str) -> dict[str, Any]:
        while True:
            message = await self.dc_inbox.get()
            if message["type"] == kind:
                return message

    async def close(self) -> None:
        for sink in self.sinks:
            await sink.stop()
        if self.pc is not None:
            await self.pc.close()
        with contextlib.suppress(Exception):
            await self.signaling.close()
