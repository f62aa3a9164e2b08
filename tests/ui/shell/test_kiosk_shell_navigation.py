"""The shell by touch: attract → home, the tiles, back to start, live language switch."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui


def test_touch_to_start_opens_home_with_five_tiles(kiosk):
    kiosk.screenshot("attract_zh_Hans")
    kiosk.tap("Touch to start")
    kiosk.wait_for_screen("home")
    tiles = kiosk.find_all(cls="Tile")
    assert sorted(t.text for t in tiles) == sorted(
        ["预约办事", "取号", "查询打印", "办事指南", "视频帮办"]
    )
    kiosk.screenshot("home_zh_Hans")


def test_back_to_start_ends_the_visit(kiosk):
    kiosk.start_visit()
    kiosk.app.session.choices["service"] = "SB-001"
    kiosk.tap(kiosk.find(id="home_button"))
    kiosk.wait_for_screen("attract")
    assert kiosk.app.session.is_empty()
