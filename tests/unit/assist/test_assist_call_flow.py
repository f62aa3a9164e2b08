"""The kiosk's call use case (kiosk.flows.assist) driven by a scripted stand-in for the peer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from kiosk.flows.assist import AssistCall, AssistView, default_media, print_lines_for
from remote_assist.kiosk_peer import AssistCallError, CallStats
from terminal_drivers.errors import PaperOut


class ScriptedPeer:
    """Plays signaling and data-channel events to the call, as KioskPeer would."""

    def __init__(self, hall_url: str, token: str, **kwargs: Any) -> None:
        self.on_event: Callable[[str, dict[str, Any]], None] = kwargs["on_event"]
        self.printer: Callable[[dict[str, Any]], Awaitable[str]] = kwargs["printer"]
        self.consent: Callable[[dict[str, Any]], Awaitable[bool]] = kwargs["consent"]
        self.media: Any = None
        self.script: Callable[[ScriptedPeer], Awaitable[str]] | None = None
        self.sent: list[dict[str, Any]] = []
        self.hung_up = asyncio.Event()
        self.stats = CallStats()

    async def call(self, skill: str, lang: str) -> str:
        assert self.script is not None
        return await self.script(self)

    async def hangup(self, reason: str = "normal") -> None:
        self.hung_up.set()

    async def send_to_staff(self, message: dict[str, Any]) -> None:
        self.sent.append(message)


class Printer:
    def __init__(self, fail: Exception | None = None) -> None:
        self.jobs: list[bytes] = []
        self.fail = fail

    async def print_job(self, data: bytes) -> object:
        if self.fail is not None:
            raise self.fail
        self.jobs.append(data)
        return None


def _call(printer: Printer | None = None) -> tuple[AssistCall, ScriptedPeer, list[AssistView]]:
    views: list[AssistView] = []
    call = AssistCall(
        "http://hall",
        "token",
        media=lambda: None,  # type: ignore[arg-type, return-value]
        printer=printer,
        layout=lambda lines: "\n".join(lines).encode(),
        on_change=lambda view: views.append(AssistView(**vars(view))),
        peer_factory=ScriptedPeer,
    )
    return call, call.peer, views  # type: ignore[return-value]


async def test_queue_then_call_then_pushed_content_and_end() -> None:
    call, peer, views = _call()

    async def script(p: ScriptedPeer) -> str:
        p.on_event("queued", {"call_id": "c1", "position": 2, "eta_s": 480})
        p.on_event("accepted", {"call_id": "c1", "agent": {"id": "a", "name": "王坐席"}, "ice_servers": []})
        p.on_event("show_qr", {"type": "show_qr", "text": "https://x", "caption": "指南"})
        p.on_event("chat", {"type": "chat", "text": "您好"})
        p.on_event("ended", {"call_id": "c1", "reason": "staff_hangup"})
        return "staff_hangup"

    peer.script = script
    view = await call.run("general", "zh-Hans")
    states = [v.state for v in views]
    assert states[:3] == ["connecting", "queued", "in_call"]
    assert views[1].position == 2 and views[1].eta_s == 480
    assert any(v.overlay == {"type": "show_qr", "text": "https://x", "caption": "指南"} for v in views)
    assert view.state == "ended" and view.end_reason == "staff_hangup"
    assert view.overlay is None and view.chat[0].text == "您好" and not view.chat[0].mine
    assert view.agent_name == "王坐席"
    assert call.subject == {"type": "assist_call", "id": "c1"}


async def test_photo_waits_for_the_citizen_and_a_pending_request_is_refused_at_the_end() -> None:
    call, peer, _ = _call()
    answers: list[bool] = []
    pending: list[asyncio.Task[bool]] = []

    async def script(p: ScriptedPeer) -> str:
        p.on_event("accepted", {"call_id": "c1", "agent": {"id": "a", "name": "A"}, "ice_servers": []})
        first = asyncio.create_task(p.consent({"purpose": "身份证", "request_id": "r1"}))
        await asyncio.sleep(0)
        assert call.view.photo_request == {"purpose": "身份证", "request_id": "r1"}
        assert not first.done()
        call.answer_photo(True)
        answers.append(await first)
        pending.append(asyncio.create_task(p.consent({"purpose": "户口簿", "request_id": "r2"})))
        await asyncio.sleep(0)
        return "kiosk_hangup"

    peer.script = script
    await call.run("general", "en")
    assert answers == [True]
    assert await pending[0] is False  # the call ended before the citizen answered: no photo
    assert call.view.photo_request is None


async def test_remote_print_reports_the_printer_result() -> None:
    printer = Printer()
    call, peer, _ = _call(printer)
    assert await peer.printer({"type": "print", "lines": ["第一行", "second"]}) == "ok"
    assert printer.jobs == ["第一行\nsecond".encode()]
    assert call.view.last_print == "ok" and not call.view.printing
    _, peer2, _ = _call(Printer(fail=PaperOut("no paper")))
    assert await peer2.printer({"type": "print", "lines": ["x"]}) == "paper_out"
    assert await _call(None)[1].printer({"type": "print", "lines": ["x"]}) == "printer_missing"


def test_ticket_prints_as_field_lines() -> None:
    assert print_lines_for({"ticket": {"number": "A001", "窗口": "5"}}) == ["number: A001", "窗口: 5"]
    assert print_lines_for({"lines": ["a", "b"]}) == ["a", "b"]


async def test_unavailable_and_unreachable_are_said_plainly() -> None:
    call, peer, _ = _call()

    async def closed(p: ScriptedPeer) -> str:
        p.on_event("unavailable", {"reason": "outside_hours", "next_open": "2026-11-26T09:00:00+08:00"})
        return "outside_hours"

    peer.script = closed
    view = await call.run("general", "zh-Hans")
    assert (view.state, view.end_reason, view.next_open) == (
        "unavailable",
        "outside_hours",
        "2026-11-26T09:00:00+08:00",
    )
    assert call.subject is None

    call, peer, _ = _call()

    async def unreachable(p: ScriptedPeer) -> str:
        raise AssistCallError("hall_unreachable", "down")

    peer.script = unreachable
    view = await call.run("general", "zh-Hans")
    assert (view.state, view.end_reason) == ("failed", "hall_unreachable")


async def test_chat_from_the_citizen_goes_to_staff() -> None:
    call, peer, _ = _call()
    await call.say("请问需要带什么")
    assert peer.sent == [{"type": "chat", "text": "请问需要带什么"}]
    assert call.view.chat[-1].mine


def test_camera_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_ASSIST_CAMERA", "synthetic:320x240@15")
    media = default_media("k")()
    assert (media.video.width, media.video.height, media.video.fps) == (320, 240, 15)  # type: ignore[union-attr]
    media.stop()
    with pytest.raises(ValueError):
        default_media("k", "synthetic:big")
