"""The home screen and the top bar: a drawn icon on every tile, the hall's name and time in the
chosen language, everything fitting in three languages, elderly mode and a portrait screen."""

from __future__ import annotations

import re

import pytest

from kiosk.ui.text_layout import rendered_lines

pytestmark = pytest.mark.ui

LANGS = ("zh_Hans", "zh_Hant", "en")
TILES = ("tile_booking", "tile_ticket", "tile_records", "tile_guides", "tile_my_bookings", "tile_video_help")
# The demo hall's clock stands at Wednesday 2026-11-25 10:00 +08:00 (tests/ui/conftest.py).
CLOCKS = {
    "zh_Hans": r"2026年11月25日 星期三 10:0\d",
    "zh_Hant": r"2026年11月25日 星期三 10:0\d",
    "en": r"Wed 25 Nov 2026 10:0\d",
}


def _box(widget):
    x, y = widget.to_window(*widget.pos)
    return x, y, x + widget.width, y + widget.height


def _inside(inner, outer, slack=0.5):
    ix0, iy0, ix1, iy1 = _box(inner)
    ox0, oy0, ox1, oy1 = _box(outer)
    return ix0 >= ox0 - slack and iy0 >= oy0 - slack and ix1 <= ox1 + slack and iy1 <= oy1 + slack


def _apart(a, b):
    ax0, ay0, ax1, ay1 = _box(a)
    bx0, by0, bx1, by1 = _box(b)
    return ax1 <= bx0 + 0.5 or bx1 <= ax0 + 0.5 or ay1 <= by0 + 0.5 or by1 <= ay0 + 0.5


def _text_fits(label):
    """The label's drawn text is no wider and no taller than the label, and no word is cut."""
    tw, th = label.texture_size
    return tw <= label.width + 1 and th <= label.height + 1


def check_top_bar_fits(kiosk, min_target):
    from kivy.core.window import Window

    bar = kiosk.app.current.top_bar
    assert _box(bar)[2] <= Window.width + 0.5 and _box(bar)[1] >= 0
    controls = [bar.ids[name] for name in ("lang_zh_Hans", "lang_zh_Hant", "lang_en", "elderly_toggle",
                                           "voice_toggle", "home_button")]
    shown = [w for w in controls if w.opacity > 0]
    for control in shown:
        assert _inside(control, bar), (control.text, _box(control), _box(bar))
        assert control.height >= min_target, (control.text, control.height)
        assert _text_fits(control), (control.text, control.texture_size, control.size)
        assert len(rendered_lines(control)) == 1, (control.text, rendered_lines(control))
    for index, control in enumerate(shown):
        for other in shown[index + 1:]:
            assert _apart(control, other), (control.text, other.text)
    title, hall, clock = bar.ids.title, bar.ids.hall_name, bar.ids.clock
    for label in (hall, clock):
        assert _inside(label, bar) and _text_fits(label), (label.text, label.texture_size, label.size)
        for control in shown:
            assert _apart(label, control), (label.text, control.text)
    # The title is shown whole, not cut short ("W...o?").
    assert rendered_lines(title) == [title.text] and title.texture_size[0] <= title.width + 1, (
        rendered_lines(title), title.text, title.width)
    assert _apart(title, bar.ids.hall_and_time)
    for control in shown:
        assert _apart(title, control), (title.text, control.text)


def check_tiles_fit(kiosk):
    screen = kiosk.app.current
    for tile_id in TILES:
        tile = screen.ids[tile_id]
        icon, title, hint = tile.ids.icon, tile.ids.tile_title, tile.ids.tile_hint
        for part in (icon, title, hint):
            assert _inside(part, tile), (tile_id, part, _box(part), _box(tile))
        assert _text_fits(title) and _text_fits(hint), (tile_id, title.text, hint.text)
        # The icon is drawn, large enough to see, and above the words.
        assert icon.canvas.children and icon.side >= 48, (tile_id, icon.side)
        assert _box(icon)[1] >= _box(title)[3] - 0.5
    tiles = [screen.ids[tile_id] for tile_id in TILES]
    # One size of icon on every tile, however many lines its words take.
    assert len({round(tile.ids.icon.side) for tile in tiles}) == 1
    for index, tile in enumerate(tiles):
        for other in tiles[index + 1:]:
            assert _apart(tile, other)


def _switch_to(kiosk, lang):
    if kiosk.app.lang != lang:
        kiosk.tap(kiosk.find(id=f"lang_{lang}"))
        kiosk.pump(4)


def test_home_shows_the_hall_name_and_time_in_each_language(kiosk):
    kiosk.start_visit()
    bar = kiosk.app.current.top_bar
    names = set()
    for lang in LANGS:
        _switch_to(kiosk, lang)
        kiosk.wait_until(lambda lang=lang: kiosk.app.hall_link.site is not None, what="the hall's names")
        kiosk.pump(2)
        assert re.fullmatch(CLOCKS[lang], bar.ids.clock.text), bar.ids.clock.text
        names.add(bar.ids.hall_name.text)
        assert bar.ids.hall_name.text == kiosk.app.hall_link.site.names[lang]
        check_top_bar_fits(kiosk, min_target=48)
        check_tiles_fit(kiosk)
        kiosk.screenshot(f"home_{lang}")
    # Three languages, three spellings of the hall's name (the demo site has them all).
    assert len(names) == 3, names


def test_home_fits_in_elderly_mode_in_each_language(kiosk):
    kiosk.start_visit()
    kiosk.tap(kiosk.find(id="elderly_toggle"))
    kiosk.wait_until(lambda: kiosk.app.theme.button_h == 88, what="elderly sizes")
    kiosk.pump(4)
    for lang in LANGS:
        _switch_to(kiosk, lang)
        kiosk.screenshot(f"home_elderly_{lang}")
        check_top_bar_fits(kiosk, min_target=60)
        check_tiles_fit(kiosk)


@pytest.mark.parametrize("elderly", [False, True])
def test_home_fits_on_a_portrait_screen(kiosk, elderly):
    from kivy.core.window import Window

    kiosk.start_visit()
    landscape = tuple(Window.size)
    try:
        Window.size = (1080, 1920)
        kiosk.wait_until(lambda: tuple(Window.size) == (1080, 1920), what="a portrait window")
        kiosk.pump(4)
        if elderly:
            kiosk.tap(kiosk.find(id="elderly_toggle"))
            kiosk.pump(4)
        bar = kiosk.app.current.top_bar
        # The controls go below the title, the hall and the time.
        assert bar.narrow and _box(bar.ids.controls)[3] <= _box(bar.ids.main_row)[1] + 0.5
        for lang in LANGS:
            _switch_to(kiosk, lang)
            check_top_bar_fits(kiosk, min_target=60 if elderly else 48)
            check_tiles_fit(kiosk)
            kiosk.screenshot(f"home_portrait{'_elderly' if elderly else ''}_{lang}")
        # The body starts below the two rows of the bar.
        body = kiosk.app.current.children[-1]
        assert _box(body)[3] <= _box(bar)[1] + 0.5
    finally:
        Window.size = landscape
        kiosk.wait_until(lambda: tuple(Window.size) == landscape, what="the landscape window back")
        kiosk.pump(4)
    if not elderly:
        _switch_to(kiosk, "zh_Hans")
        assert not kiosk.app.current.top_bar.narrow
