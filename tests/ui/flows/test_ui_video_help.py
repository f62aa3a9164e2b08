"""Video help: staffed now → on to the call screen; the hall unreachable or nobody staffed → said
plainly, with the next staffed time and a booking offered instead."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hall_contract import AssistStatus

pytestmark = pytest.mark.ui


def test_staffed_now_goes_to_the_call_screen(kiosk):
    kiosk.start_visit()
    kiosk.tap(kiosk.find(id="tile_video_help"))
    kiosk.wait_until(lambda: kiosk.app.current_screen == "video_call", timeout=20, what="the call screen")


def test_hall_unreachable_offers_a_booking(kiosk, flow_helpers):
    kiosk.start_visit()
    kiosk.stop_hall()
    kiosk.tap(kiosk.find(id="tile_video_help"))
    screen = kiosk.wait_for_screen("video_help")
    kiosk.wait_until(lambda: screen.state == "offline", timeout=30, what="the offline answer")
    assert screen.prompt == "暂时无法连接视频帮办。"
    flow_helpers.shots(kiosk, "video_help_offline", screen.render)
    kiosk.start_hall()
    kiosk.wait_until(lambda: kiosk.app.hall_online, timeout=60, what="the hall back")
    kiosk.tap(screen.booking_button)
    kiosk.wait_for_screen("booking")


def test_nobody_staffed_says_when_video_help_opens_again(kiosk, flow_helpers):
    kiosk.start_visit()
    # The suite's hall is staffed (Wednesday morning): keep its answer away, then render the
    # status the hall gives outside staffed hours.
    kiosk.stop_hall()
    kiosk.tap(kiosk.find(id="tile_video_help"))
    screen = kiosk.wait_for_screen("video_help")
    kiosk.wait_until(lambda: screen.state == "offline", timeout=30, what="the offline answer")
    next_open = datetime(2026, 11, 26, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    closed = AssistStatus(staffed_now=False, agents_online=0, callers_waiting=0, next_open=next_open)
    screen._got_status(closed)
    kiosk.pump(3)
    assert screen.state == "unavailable"
    assert "视频帮办将于11月26日 周四 09:00恢复服务。" in kiosk.texts()
    flow_helpers.shots(kiosk, "video_help_closed", screen.render)
    kiosk.start_hall()
    kiosk.tap(screen.booking_button)
    kiosk.wait_for_screen("booking")
