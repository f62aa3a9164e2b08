"""Kiosk hardening: ESC and window close are swallowed, one touch input path, the CJK font."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui


def test_escape_and_close_requests_do_not_leave_the_kiosk(kiosk):
    from kivy.core.window import Window

    kiosk.start_visit()
    assert Window.dispatch("on_keyboard", 27, 9, "", []) is True
    assert Window.dispatch("on_request_close") is True
    kiosk.pump(3)
    assert kiosk.app.current_screen == "home"


def test_exactly_one_touch_input_path_and_no_cursor(kiosk):
    from kivy.config import Config

    assert Config.items("input") == [("mouse", "mouse,disable_multitouch")]
    assert Config.get("kivy", "exit_on_escape") == "0"


def test_labels_use_the_shipped_cjk_font_which_holds_rare_name_characters(kiosk):
    from fontTools.ttLib import TTFont
    from kivy.core.text import LabelBase
    from kivy.uix.label import Label

    from kiosk.kivy_setup import FONT_BOLD, FONT_REGULAR

    assert LabelBase._fonts["Roboto"] == (str(FONT_REGULAR), str(FONT_REGULAR), str(FONT_BOLD),
                                          str(FONT_BOLD))
    for path in (FONT_REGULAR, FONT_BOLD):
        cmap = TTFont(str(path), lazy=True).getBestCmap()
        assert all(ord(char) in cmap for char in "堃喆镕陈罗刘"), path
    kiosk.start_visit()
    tile = kiosk.find(id="tile_booking")
    sample = Label(text="陈堃 罗镕 刘喆 古丽娜尔·艾买提", font_size=32, color=(0, 0, 0, 1), bold=True)
    tile.add_widget(sample)
    try:
        kiosk.pump(3)
        assert sample.font_name == "Roboto" and sample.texture_size[0] > 32 * 10
        kiosk.screenshot("font_rare_characters")
    finally:
        tile.remove_widget(sample)
