"""Handwritten name characters on the identify screen: a finger writes on the name keyboard's pad
(real touch down/move/up events), the candidates come from libzinnia, a touch on one puts it in
the name; undo, rewrite, elderly mode, and the end of a visit wiping the strokes."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest

from kiosk.i18n import _

pytestmark = pytest.mark.ui

MEDIANS = json.loads(
    (Path(__file__).resolve().parents[2] / "fixtures/handwriting/medians.json").read_text("utf-8")
)
# A finger reports a move about every this many pixels.
STEP_PX = 8.0


def _open_identify(kiosk):
    kiosk.start_visit()
    kiosk.app.go("identify", next="home", purpose="booking", service="SB-001")
    screen = kiosk.wait_for_screen("identify")
    screen.auto_continue_s = None
    return screen


@pytest.fixture(autouse=True)
def _restore_auto_continue(kiosk):
    yield
    kiosk.app.screen("identify").auto_continue_s = 2.5


def _keyboard(kiosk):
    return kiosk.find(id="name_keyboard")


def _handwriting(kiosk):
    keyboard = _keyboard(kiosk)
    kiosk.tap(kiosk.find(id="handwriting_toggle", root=keyboard))
    assert keyboard.mode == "handwriting"
    return keyboard, keyboard.pad


def _draw_stroke(kiosk, points):
    """One finger: down at the first point, moves every few pixels, up at the last."""
    from kivy.tests.common import UnitTestTouch

    kiosk.settled()
    touch = UnitTestTouch(*points[0])
    touch.touch_down()
    for (x0, y0), (x1, y1) in pairwise(points):
        steps = max(1, int(max(abs(x1 - x0), abs(y1 - y0)) / STEP_PX))
        for step in range(1, steps + 1):
            touch.touch_move(x0 + (x1 - x0) * step / steps, y0 + (y1 - y0) * step / steps)
    touch.touch_up()
    kiosk.pump(1)


def _draw(kiosk, pad, char, strokes=None):
    """Write ``char`` from its Make Me a Hanzi medians (1024 box, y up, top at 900), scaled into
    the pad's writing area."""
    area = pad.area
    left, bottom = area.to_window(*area.pos)
    side = area.width
    medians = MEDIANS[char] if strokes is None else MEDIANS[char][:strokes]
    for stroke in medians:
        _draw_stroke(kiosk, [(left + x / 1024 * side, bottom + (y + 124) / 1024 * side) for x, y in stroke])


def _wait_for_candidate(kiosk, pad, char):
    kiosk.wait_until(lambda: char in pad.candidates, timeout=15, what=f"{char} among the candidates")
    kiosk.pump(2)
    return pad.key(char)


def _ink(pad):
    """The drawn strokes: one instruction group each (canvas.before, with the 田 grid, is not)."""
    return [group for group in pad.area.canvas.children if type(group).__name__ == "InstructionGroup"]


def _check_fits(kiosk, keyboard, min_target):
    """Every key a touch target inside the window with a theme font and its label on it; the
    writing area square and clear of the keys."""
    from kivy.core.window import Window

    from kiosk.ui.widgets.name_keyboard import NameKeyButton

    theme = kiosk.app.theme
    sizes = {theme.font_small, theme.font_body, theme.font_large, theme.font_title}
    area = keyboard.pad.area
    ax, ay = area.to_window(*area.pos)
    assert area.width == area.height >= 4 * min_target
    keys = [w for w in keyboard.walk() if isinstance(w, NameKeyButton) and w.opacity > 0]
    assert len(keys) >= 6
    for key in keys:
        x, y = key.to_window(*key.pos)
        assert key.width >= min_target and key.height >= min_target, (key.text, key.size)
        assert x >= 0 and x + key.width <= Window.width and y >= 0 and y + key.height <= Window.height
        assert key.font_size in sizes, (key.text, key.font_size)
        assert key.texture_size[0] <= key.width and key.texture_size[1] <= key.height, (key.text, key.size)
        assert x >= ax + area.width or y + key.height <= ay or y >= ay + area.height, key.text
    hint = keyboard.pad.hint_label
    if hint is not None and hint.parent is not None:
        assert hint.texture_size[0] <= hint.width and hint.texture_size[1] <= hint.height, hint.text


def test_a_character_written_by_finger_goes_into_the_name(kiosk):
    _open_identify(kiosk)
    keyboard, pad = _handwriting(kiosk)
    assert kiosk.find(id="handwriting_toggle", root=keyboard).text == _("Pinyin", kiosk.app.lang)
    assert pad.hint_label.text == _("Write one character in the box", kiosk.app.lang)
    _draw(kiosk, pad, "罗")
    key = _wait_for_candidate(kiosk, pad, "罗")
    assert pad.candidates[0] == "罗"
    assert len(pad.area.strokes) == len(MEDIANS["罗"])
    kiosk.screenshot("identify_handwriting_zh_Hans")
    kiosk.tap(key)
    assert keyboard.name == "罗"
    assert kiosk.find(id="name_field").text == "罗"
    # Choosing clears the pad for the next character.
    assert pad.area.strokes == [] and pad.candidates == [] and pad.stroke_count == 0


def test_liu_by_pinyin_then_zhe_by_hand_undo_and_rewrite(kiosk):
    screen = _open_identify(kiosk)
    for digit in "440106198503121237":
        kiosk.tap(kiosk.find(text=digit, root=kiosk.find(id="pad")))
    keyboard = _keyboard(kiosk)
    for letter in "liu":
        kiosk.tap(keyboard.key(letter))
    kiosk.tap(keyboard.key("刘"))
    keyboard, pad = _handwriting(kiosk)
    # A stray stroke, undone; then a whole wrong character, rewritten.
    _draw(kiosk, pad, "王", strokes=1)
    assert pad.stroke_count == 1
    kiosk.tap(kiosk.find(id="undo", root=pad))
    assert pad.area.strokes == [] and pad.stroke_count == 0
    _draw(kiosk, pad, "王")
    _wait_for_candidate(kiosk, pad, "王")
    kiosk.tap(kiosk.find(id="rewrite", root=pad))
    assert pad.area.strokes == [] and pad.candidates == []
    # 喆 is outside GB2312: the supplement trained at first use brings it up.
    _draw(kiosk, pad, "喆")
    key = _wait_for_candidate(kiosk, pad, "喆")
    assert pad.candidates.index("喆") < 3
    kiosk.screenshot("identify_handwriting_zhe_candidates")
    # Written but not chosen is not part of the name yet: the citizen is told to choose.
    kiosk.tap(kiosk.find(id="submit_typed"))
    assert screen.error == "Please touch the character you wrote, beside the box."
    assert not screen.has_identity
    kiosk.tap(key)
    assert kiosk.find(id="name_field").text == "刘喆"
    kiosk.screenshot("identify_handwriting_liu_zhe")
    kiosk.tap(kiosk.find(id="submit_typed"))
    kiosk.wait_until(lambda: screen.has_identity, what="the typed name accepted")
    kiosk.tap(kiosk.find(id="confirm"))
    kiosk.wait_for_screen("home")
    assert kiosk.app.session.identity.name == "刘喆"


def test_handwriting_fits_in_elderly_mode_in_each_language(kiosk):
    _open_identify(kiosk)
    kiosk.tap(kiosk.find(id="elderly_toggle"))
    kiosk.wait_until(lambda: kiosk.app.theme.button_h == 88, what="elderly sizes")
    keyboard, pad = _handwriting(kiosk)
    kiosk.pump(4)
    for lang in ("en", "zh_Hant", "zh_Hans"):
        kiosk.tap(kiosk.find(id=f"lang_{lang}"))
        kiosk.pump(2)
        _check_fits(kiosk, keyboard, min_target=60)
    _draw(kiosk, pad, "陈")
    _wait_for_candidate(kiosk, pad, "陈")
    _check_fits(kiosk, keyboard, min_target=60)
    kiosk.screenshot("identify_handwriting_elderly")
    kiosk.tap(kiosk.find(id="lang_en"))
    kiosk.pump(2)
    _check_fits(kiosk, keyboard, min_target=60)
    kiosk.screenshot("identify_handwriting_elderly_en")


def test_the_end_of_a_visit_wipes_the_strokes(kiosk):
    _open_identify(kiosk)
    keyboard, pad = _handwriting(kiosk)
    _draw(kiosk, pad, "杨")
    _wait_for_candidate(kiosk, pad, "杨")
    # One more stroke whose answer may still be on its way when the visit ends.
    _draw(kiosk, pad, "王", strokes=1)
    assert len(_ink(pad)) == len(MEDIANS["杨"]) + 1
    kiosk.app.end_visit()
    kiosk.wait_until(lambda: kiosk.app.current_screen == "attract", what="attract after the visit")
    kiosk.pump(10)
    assert pad.area.strokes == [] and _ink(pad) == []
    assert pad.candidates == [] and pad.stroke_count == 0
    assert keyboard.mode == "pinyin" and keyboard.name == ""
    _open_identify(kiosk)
    assert "杨" not in "".join(kiosk.texts())
    keyboard, pad = _handwriting(kiosk)
    assert pad.area.strokes == [] and pad.candidates == []


def test_without_the_recogniser_there_is_no_handwriting_key(kiosk):
    _open_identify(kiosk)
    keyboard = _keyboard(kiosk)
    try:
        keyboard.handwriting_available = False
        kiosk.pump(2)
        assert not kiosk.find_all(id="handwriting_toggle", root=keyboard)
        keyboard.press("handwriting")
        assert keyboard.mode == "pinyin"
    finally:
        keyboard.handwriting_available = True
        kiosk.pump(2)


def test_portrait_screen_keeps_the_pad_square_and_the_keys_whole(kiosk):
    from kivy.core.window import Window

    _open_identify(kiosk)
    landscape = tuple(Window.size)
    try:
        Window.size = (1080, 1920)
        kiosk.wait_until(lambda: tuple(Window.size) == (1080, 1920), what="a portrait window")
        kiosk.tap(kiosk.find(id="elderly_toggle"))
        keyboard, pad = _handwriting(kiosk)
        kiosk.pump(4)
        _draw(kiosk, pad, "李")
        _wait_for_candidate(kiosk, pad, "李")
        _check_fits(kiosk, keyboard, min_target=60)
        kiosk.screenshot("identify_handwriting_portrait_elderly")
    finally:
        Window.size = landscape
        kiosk.wait_until(lambda: tuple(Window.size) == landscape, what="the landscape window back")
        kiosk.pump(4)
