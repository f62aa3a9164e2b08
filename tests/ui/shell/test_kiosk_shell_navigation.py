"""The shell by touch: attract → home, the tiles, back to start, live language switch."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui


def test_touch_to_start_opens_home_with_six_tiles(kiosk):
    kiosk.screenshot("attract_zh_Hans")
    kiosk.tap("Touch to start")
    kiosk.wait_for_screen("home")
    tiles = kiosk.find_all(cls="Tile")
    assert sorted(t.text for t in tiles) == sorted(
        ["预约办事", "我的预约", "取号", "查询打印", "办事指南", "视频帮办"]
    )
    kiosk.screenshot("home_zh_Hans")


def test_back_to_start_ends_the_visit(kiosk):
    kiosk.start_visit()
    kiosk.app.session.choices["service"] = "SB-001"
    kiosk.tap(kiosk.find(id="home_button"))
    kiosk.wait_for_screen("attract")
    assert kiosk.app.session.is_empty()


def test_the_home_button_is_named_finish_where_it_ends_the_visit(kiosk):
    kiosk.start_visit()
    # On home the button ends the visit: 结束, not 返回首页.
    for lang, word in (("zh_Hant", "結束"), ("en", "Finish"), ("zh_Hans", "结束")):
        kiosk.tap(kiosk.find(id=f"lang_{lang}"))
        assert kiosk.find(id="home_button").text == word
        kiosk.screenshot(f"home_{lang}")
    kiosk.tap(kiosk.find(id="tile_guides"))
    kiosk.wait_for_screen("guides")
    assert kiosk.find(id="home_button").text == "返回首页"
    kiosk.tap(kiosk.find(id="home_button"))
    kiosk.wait_for_screen("attract")


def test_attract_shows_todays_hours_from_the_hall(kiosk):
    # The hall's clock is a Wednesday: the regular sessions and the evening session (周三夜市).
    label = kiosk.wait_until(lambda: kiosk.find_all(id="today") and kiosk.find(id="today").text,
                             timeout=15, what="today's hours")
    assert label == "今日办理时间：上午 09:00-12:00、下午 13:00-17:00、周三夜市 17:00-21:00"
    kiosk.tap(kiosk.find(id="lang_en"))
    english = "Open today: Morning 09:00-12:00, Afternoon 13:00-17:00, Wednesday Evening Service 17:00-21:00"
    kiosk.wait_until(lambda: kiosk.find(id="today").text == english, timeout=15,
                     what="today's hours in English")
    kiosk.screenshot("attract_today_en")
