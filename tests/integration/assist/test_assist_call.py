"""A real aiortc kiosk peer calls a real aiortc staff peer through the relay, in one process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from remote_assist.datachannel import PhotoAssembler
from remote_assist.kiosk_peer import KioskPeer
from remote_assist.media import LocalMedia, synthetic_media
from remote_assist.staff_peer import StaffPeer

from .conftest import Relay

pytestmark = pytest.mark.slow


class Kiosk:
    """A kiosk peer running its call in a task, with every event recorded."""

    def __init__(self, relay: Relay, *, consent: bool | None = True, no_media_s: float = 10.0) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.seen: dict[str, asyncio.Event] = {}
        self.printed: list[dict[str, Any]] = []
        self.consent_asked = asyncio.Event()
        self.consent_answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        if consent is not None:
            self.consent_answer.set_result(consent)

        async def ask(request: dict[str, Any]) -> bool:
            self.consent_asked.set()
            return await self.consent_answer

        async def printer(message: dict[str, Any]) -> str:
            self.printed.append(message)
            return "ok"

        def media() -> LocalMedia:
            return synthetic_media("kiosk-01", 320, 240)

        self.peer = KioskPeer(
            relay.url.replace("ws://", "http://"),
            "kt-k1",
            media=media,
            on_event=self._record,
            consent=ask,
            printer=printer,
            devices=lambda: {"printer": {"state": "ok", "reason": None}},
            no_media_s=no_media_s,
        )
        self.task: asyncio.Task[str] | None = None

    def _record(self, kind: str, data: dict[str, Any]) -> None:
        self.events.append((kind, data))
        self.seen.setdefault(kind, asyncio.Event()).set()

    async def saw(self, kind: str) -> dict[str, Any]:
        await self.seen.setdefault(kind, asyncio.Event()).wait()
        return next(d for k, d in reversed(self.events) if k == kind)

    def start(self, skill: str = "HRSS") -> None:
        self.task = asyncio.create_task(self.peer.call(skill, "zh-Hans"))


@pytest.fixture
async def staff(relay: Relay) -> AsyncIterator[StaffPeer]:
    peer = await StaffPeer.connect(relay.staff_url(), ["HRSS"])
    yield peer
    await peer.close()


async def test_media_flows_both_ways_and_staff_hangup_closes_both(relay: Relay, staff: StaffPeer) -> None:
    async with asyncio.timeout(60):
        kiosk = Kiosk(relay)
        kiosk.start()
        call_id = await staff.take_call()
        await kiosk.saw("first_video")
        await staff.first_frames()
        assert kiosk.peer.latest_staff_frame.width == 320
        assert {s.kind for s in kiosk.peer.sinks} == {"audio", "video"}
        for sink in kiosk.peer.sinks:
            await sink.first_frame.wait()

        await staff.send({"type": "hangup", "call_id": call_id})
        assert await kiosk.task == "staff_hangup"
        assert kiosk.peer.pc is not None and kiosk.peer.pc.connectionState == "closed"
        assert (await staff.expect("ended"))["reason"] == "staff_hangup"
        assert kiosk.events[-1] == ("closed", {"reason": "staff_hangup"})


async def test_data_channel_pushes_content_photo_after_consent_and_print(
    relay: Relay, staff: StaffPeer
) -> None:
    async with asyncio.timeout(60):
        kiosk = Kiosk(relay, consent=None)
        kiosk.start()
        await staff.take_call()
        await staff.channel_open.wait()

        staff.push({"type": "show_qr", "text": "https://hall.example/g/SB-001", "caption": "办事指南"})
        assert (await kiosk.saw("show_qr"))["caption"] == "办事指南"
        staff.push({"type": "show_guide", "service": "SB-001"})
        assert (await kiosk.saw("show_guide"))["service"] == "SB-001"
        staff.push({"type": "chat", "text": "请稍候"})
        assert (await kiosk.saw("chat"))["text"] == "请稍候"

        staff.push({"type": "request_photo", "purpose": "户口簿首页", "request_id": "r1"})
        await kiosk.consent_asked.wait()
        assert staff.dc_inbox.empty()  # nothing leaves the kiosk before the citizen answers
        kiosk.consent_answer.set_result(True)
        assert await staff.next_dc("consent") == {"type": "consent", "request_id": "r1", "granted": True}
        assembler = PhotoAssembler("r1")
        jpeg = None
        while jpeg is None:
            jpeg = assembler.add(await staff.next_dc("photo"))
        assert jpeg.startswith(b"\xff\xd8") and len(jpeg) > 2000

        staff.push({"type": "print", "lines": ["材料清单", "1. 居民身份证"]})
        state = await staff.next_dc("device_state")
        while "print_result" not in state:
            state = await staff.next_dc("device_state")
        assert state["print_result"] == "ok" and kiosk.printed[0]["lines"] == ["材料清单", "1. 居民身份证"]

        await kiosk.peer.send_to_staff({"type": "chat", "text": "谢谢"})
        assert (await staff.next_dc("chat"))["text"] == "谢谢"

        await kiosk.peer.hangup()
        assert await kiosk.task == "kiosk_hangup"
        assert (await staff.expect("ended"))["reason"] == "kiosk_hangup"


async def test_refused_consent_sends_no_photo(relay: Relay, staff: StaffPeer) -> None:
    async with asyncio.timeout(60):
        kiosk = Kiosk(relay, consent=False)
        kiosk.start()
        await staff.take_call()
        await staff.channel_open.wait()
        staff.push({"type": "request_photo", "purpose": "身份证", "request_id": "r2"})
        assert (await staff.next_dc("consent"))["granted"] is False
        staff.push({"type": "chat", "text": "好的"})  # a later message arrives, so no photo was in between
        await kiosk.saw("chat")
        await kiosk.peer.send_to_staff({"type": "chat", "text": "end"})
        message = await staff.dc_inbox.get()
        assert message == {"type": "chat", "text": "end"}
        await kiosk.peer.hangup()
        await kiosk.task


async def test_no_media_makes_the_kiosk_hang_up(relay: Relay, staff: StaffPeer) -> None:
    async with asyncio.timeout(60):
        staff.answer_offers = False  # the agent's browser never answers: no media will come
        kiosk = Kiosk(relay, no_media_s=1.0)
        kiosk.start()
        await staff.take_call()
        assert await kiosk.task == "kiosk_no_media"
        assert (await staff.expect("ended"))["reason"] == "no_media"
        assert kiosk.peer.pc is not None and kiosk.peer.pc.connectionState == "closed"


async def test_agent_vanishing_ends_the_kiosk_call(relay: Relay, staff: StaffPeer) -> None:
    async with asyncio.timeout(60):
        kiosk = Kiosk(relay)
        kiosk.start()
        await staff.take_call()
        await kiosk.saw("first_video")
        await staff.ws.close()  # the console's tab closed
        assert await kiosk.task == "staff_left"
        assert kiosk.peer.pc is not None and kiosk.peer.pc.connectionState == "closed"


async def test_headless_test_call_command(relay: Relay, staff: StaffPeer) -> None:
    import sys

    async with asyncio.timeout(90):
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "remote_assist.kiosk_peer",
            "--hall", relay.url.replace("ws://", "http://"), "--token", "kt-k1", "--skill", "HRSS",
            "--synthetic", "--seconds", "1",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await staff.take_call()
            await staff.first_frames()
            out, err = await process.communicate()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        text = out.decode()
        assert process.returncode == 0, err.decode()
        for event in ("queued", "accepted", "connected", "first_video", "ended reason=kiosk_hangup"):
            assert event in text, text
        assert (await staff.expect("ended"))["reason"] == "kiosk_hangup"


async def test_headless_test_call_reports_a_refused_token(relay: Relay) -> None:
    import sys

    async with asyncio.timeout(60):
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "remote_assist.kiosk_peer",
            "--hall", relay.url.replace("ws://", "http://"), "--token", "wrong",
            "--skill", "HRSS", "--synthetic",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await process.communicate()
        assert process.returncode == 1
        assert "error code=unauthorized" in out.decode()
