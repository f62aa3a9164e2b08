"""The kiosk's video call screen, by touch, against the hall server and an aiortc agent."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from kiosk.i18n import _
from remote_assist.datachannel import PhotoAssembler
from remote_assist.staff_peer import StaffPeer

pytestmark = [pytest.mark.ui, pytest.mark.slow]


@pytest.fixture(autouse=True)
def small_camera(monkeypatch: pytest.MonkeyPatch) -> None:
    """A small synthetic camera: the kiosk, the agent and the UI share one process here."""
    monkeypatch.setenv("KIOSK_ASSIST_CAMERA", "synthetic:320x240@15")


def _agent(kiosk: Any) -> StaffPeer:
    reply = httpx.post(
        f"{kiosk.hall.url}/api/v1/auth/login", json={"username": "agent1", "password": "demo1234"}
    )
    assert reply.status_code == 200, reply.text
    url = kiosk.hall.url.replace("http://", "ws://") + f"/ws/assist/staff?token={reply.json()['token']}"
    return kiosk.run(StaffPeer.connect(url, ["general"]))  # type: ignore[no-any-return]


def _to_call_screen(kiosk: Any) -> Any:
    kiosk.start_visit()
    kiosk.tap(kiosk.find(id="tile_video_help"))
    screen = kiosk.wait_for_screen("video_call", timeout=20)
    # Each picture refresh redraws the window, which software GL under Xvfb makes slow.
    screen.video_fps = 2
    return screen


def test_call_by_touch_with_banner_pushed_qr_photo_consent_print_and_review(kiosk: Any) -> None:
    staff = _agent(kiosk)
    try:
        screen = _to_call_screen(kiosk)
        assert screen.state == "consent"
        kiosk.screenshot("assist_consent")
        taking = kiosk.loop.create_task(staff.take_call())
        kiosk.tap(kiosk.find(id="allow_call"))
        # The media stack's one-off set-up is paid once the citizen allows the call.
        kiosk.wait_until(lambda: kiosk.app.media_warmed_s is not None, timeout=30, what="media warm-up")
        kiosk.wait_until(lambda: taking.done(), timeout=30, what="the agent to answer")
        kiosk.wait_until(
            lambda: screen.state == "in_call" and screen.has_staff_video,
            timeout=30,
            what="staff video on the kiosk",
        )
        banner = kiosk.find(id="banner_label")
        assert "云坐席一号" in banner.text
        kiosk.run(staff.first_frames())
        kiosk.screenshot("assist_in_call")

        kiosk.run(staff.channel_open.wait())
        staff.push({"type": "show_qr", "text": "https://hall.example/g/SB-001", "caption": "社保查询指南"})
        kiosk.wait_until(
            lambda: screen.overlay_qr == "https://hall.example/g/SB-001", timeout=30, what="the pushed QR"
        )
        assert kiosk.find(id="overlay_title").text == "社保查询指南"
        assert kiosk.find(id="banner_label")  # the banner stays while content is shown
        kiosk.screenshot("assist_pushed_qr")
        staff.push({"type": "chat", "text": "请把身份证放在摄像头前"})
        kiosk.wait_until(
            lambda: "请把身份证放在摄像头前" in screen.chat_text, timeout=30, what="the staff chat"
        )
        kiosk.tap(kiosk.find(id="close_overlay"))
        kiosk.wait_until(lambda: screen.overlay_kind == "", timeout=30, what="the overlay to close")

        staff.push({"type": "request_photo", "purpose": "身份证正面", "request_id": "r1"})
        kiosk.wait_until(lambda: screen.photo_purpose == "身份证正面", timeout=30, what="the photo request")
        kiosk.screenshot("assist_photo_request")
        assert staff.dc_inbox.empty()
        kiosk.tap(kiosk.find(id="allow_photo"))
        consent = kiosk.run(staff.next_dc("consent"))
        assert consent["granted"] is True
        assembler = PhotoAssembler("r1")
        jpeg = None
        while jpeg is None:
            jpeg = assembler.add(kiosk.run(staff.next_dc("photo")))
        assert jpeg.startswith(b"\xff\xd8")

        staff.push({"type": "print", "lines": ["视频帮办材料清单", "1. 居民身份证原件"]})
        kiosk.wait_until(lambda: kiosk.new_tickets(), timeout=20, what="the remote print")
        assert "居民身份证原件" in kiosk.new_tickets()[0].text
        state = kiosk.run(staff.next_dc("device_state"))
        while "print_result" not in state:
            state = kiosk.run(staff.next_dc("device_state"))
        assert state["print_result"] == "ok"

        kiosk.tap(kiosk.find(id="hang_up"))
        kiosk.wait_until(lambda: screen.state == "ended", timeout=15, what="the call to end")
        assert kiosk.run(staff.expect("ended"))["reason"] == "kiosk_hangup"
        assert screen.call.peer.pc.connectionState == "closed"
        kiosk.screenshot("assist_ended")
        call_id = screen.call.view.call_id
        kiosk.tap(kiosk.find(id="finish"))
        review = kiosk.wait_for_screen("review")
        assert review.params.get("subject") == {"type": "assist_call", "id": call_id}
    finally:
        kiosk.run(staff.close())


def test_refused_photo_and_staff_hangup(kiosk: Any) -> None:
    # The kiosk is shared by the worker's test files, and one of them makes a failure on purpose.
    failures_before = kiosk.app.failures
    staff = _agent(kiosk)
    try:
        screen = _to_call_screen(kiosk)
        taking = kiosk.loop.create_task(staff.take_call())
        kiosk.tap(kiosk.find(id="allow_call"))
        kiosk.wait_until(lambda: taking.done() and screen.state == "in_call", timeout=30, what="the call")
        kiosk.run(staff.channel_open.wait())
        # A pushed guide is fetched from the hall; one the hall does not know is said in words.
        service = httpx.get(f"{kiosk.hall.url}/api/v1/services/SB-001",
                            headers={"Authorization": "Bearer demo-kiosk-token-HQ"}).json()
        staff.push({"type": "show_guide", "service": "SB-001"})
        kiosk.wait_until(lambda: screen.overlay_text.startswith(service["name"]), timeout=30,
                         what="the pushed guide")
        staff.push({"type": "show_guide", "service": "XX-999"})
        kiosk.wait_until(lambda: screen.overlay_text == _("The guide cannot be shown right now.", "zh_Hans"),
                         timeout=30, what="the unknown guide said in words")
        assert kiosk.app.current_screen == "video_call" and kiosk.app.failures == failures_before
        kiosk.tap(kiosk.find(id="close_overlay"))
        staff.push({"type": "request_photo", "purpose": "户口簿", "request_id": "r2"})
        kiosk.wait_until(lambda: screen.photo_purpose, timeout=30, what="the photo request")
        kiosk.tap(kiosk.find(id="deny_photo"))
        assert kiosk.run(staff.next_dc("consent"))["granted"] is False
        kiosk.wait_until(lambda: screen.photo_purpose == "", timeout=30, what="the request to close")
        kiosk.run(staff.hang_up(note="市民拒绝拍照"))
        kiosk.wait_until(lambda: screen.state == "ended", timeout=15, what="the call to end")
        assert "工作人员已结束通话" in screen.end_text
    finally:
        kiosk.run(staff.close())


def test_cancel_on_consent_goes_home_without_calling(kiosk: Any) -> None:
    screen = _to_call_screen(kiosk)
    kiosk.tap(kiosk.find(id="cancel_call"))
    kiosk.wait_for_screen("home")
    assert screen.call is None


def test_stop_waiting_while_queued(kiosk: Any) -> None:
    screen = _to_call_screen(kiosk)  # no agent signed in: the call waits in line
    kiosk.tap(kiosk.find(id="allow_call"))
    kiosk.wait_until(lambda: screen.state == "queued", timeout=20, what="a place in line")
    assert "1" in screen.position_text
    kiosk.screenshot("assist_queued")
    kiosk.tap(kiosk.find(id="hang_up"))
    kiosk.wait_until(lambda: screen.state == "ended", timeout=15, what="the call to end")
    kiosk.run(asyncio.sleep(0))


def _open_maintenance(kiosk: Any) -> Any:
    # What the hidden corner's five taps do (tests/ui/shell/test_kiosk_shell_maintenance.py taps them);
    # here the taps' three-second window would make the test a race against a loaded machine.
    kiosk.app.open_maintenance()
    screen = kiosk.wait_for_screen("maintenance")
    pad = kiosk.find(id="pin_pad")
    for digit in kiosk.app.kiosk_config.technician_pin:
        kiosk.tap(kiosk.find(text=digit, root=pad))
    kiosk.tap(kiosk.find(id="pin_ok"))
    kiosk.wait_until(lambda: screen.unlocked, what="maintenance unlocked")
    return screen


def test_a_call_that_lost_its_media_says_why_and_maintenance_lists_it(kiosk: Any) -> None:
    staff = _agent(kiosk)
    try:
        screen = _to_call_screen(kiosk)
        taking = kiosk.loop.create_task(staff.take_call())
        kiosk.tap(kiosk.find(id="allow_call"))
        kiosk.wait_until(lambda: taking.done() and screen.has_staff_video, timeout=30, what="the call")
        screen.call.peer.no_media_s = 3.0
        # The agent's side goes away without hanging up: no picture, no sound, no word from the hall.
        assert staff.pc is not None
        kiosk.run(staff.pc.close())
        kiosk.wait_until(lambda: screen.state == "ended", timeout=30, what="the call to end")
        assert "视频和声音已中断" in screen.end_text
        kiosk.screenshot("assist_media_lost")
    finally:
        kiosk.run(staff.close())
    kiosk.app.end_visit()
    kiosk.wait_for_screen("attract")
    expected = {
        "zh_Hans": ("近期视频通话", "结束：未收到视频和声音（media_timeout），通话"),
        "zh_Hant": ("近期視訊通話", "結束：未收到視訊和聲音（media_timeout），通話"),
        "en": ("Recent video calls", "ended: no picture or sound arrived (media_timeout) after"),
    }
    for lang, (heading, line) in expected.items():
        kiosk.tap(kiosk.find(id=f"lang_{lang}"))
        maintenance = _open_maintenance(kiosk)
        assert kiosk.find(text=heading)
        newest = kiosk.find(id="call_ends").text.splitlines()[0]
        assert line in newest, newest
        assert "320x240" in newest or "640x480" in newest or "480x360" in newest
        kiosk.screenshot(f"maintenance_call_ends_{lang}")
        kiosk.tap(kiosk.find(id="leave"))
        kiosk.wait_for_screen("attract")
        assert not maintenance.unlocked
    kiosk.tap(kiosk.find(id="lang_zh_Hans"))
