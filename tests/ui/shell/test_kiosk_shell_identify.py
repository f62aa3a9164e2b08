"""Identify by touch and devices: an ID card on the reader, a typed number (with a bad check digit)
and a name typed on the on-screen name keyboard (pinyin and candidates, or ABC letters)."""

from __future__ import annotations

import pytest

from kiosk.i18n import _
from kiosk.ui.text_layout import rendered_lines

pytestmark = pytest.mark.ui


def _open_identify(kiosk, auto_continue_s=None):
    kiosk.start_visit()
    kiosk.app.go("identify", next="home", purpose="booking", service="SB-001")
    screen = kiosk.wait_for_screen("identify")
    # These tests look at the confirmation, so it waits for a touch (restored after each test).
    screen.auto_continue_s = auto_continue_s
    return screen


@pytest.fixture(autouse=True)
def _restore_auto_continue(kiosk):
    yield
    kiosk.app.screen("identify").auto_continue_s = 2.5


def _type(kiosk, pad, keys):
    for key in keys:
        kiosk.tap(kiosk.find(id="backspace", root=pad) if key == "<" else kiosk.find(text=key, root=pad))


def _name_keyboard(kiosk):
    return kiosk.find(id="name_keyboard")


def _type_pinyin(kiosk, letters, char, pages=0):
    """Tap the letters of a syllable, page on ``pages`` times, then tap the character."""
    keyboard = _name_keyboard(kiosk)
    for letter in letters:
        kiosk.tap(keyboard.key(letter))
    assert keyboard.letters == letters
    for _page in range(pages):
        kiosk.tap(kiosk.find(id="more", root=keyboard))
    kiosk.tap(keyboard.key(char))
    assert keyboard.letters == ""


def _type_letters(kiosk, text):
    keyboard = _name_keyboard(kiosk)
    for key in text:
        kiosk.tap(kiosk.find(id="space", root=keyboard) if key == " " else keyboard.key(key.lower()))


def test_card_on_reader_identifies_with_masked_confirmation(kiosk):
    _open_identify(kiosk)
    kiosk.place_card("luo_rong")  # 罗镕: a rare character the font must hold
    shown = kiosk.wait_until(lambda: kiosk.find_all(id="shown_id"), timeout=15, what="card confirmation")
    kiosk.wait_until(lambda: shown[0].text == "4301**********031X", what="masked ID number")
    assert kiosk.find(id="shown_name").text == "罗*"
    assert not any("43010219650930031X" in text or "罗镕" in text for text in kiosk.texts())
    kiosk.screenshot("identify_card_confirm_zh_Hans")
    kiosk.tap(kiosk.find(id="confirm"))
    kiosk.wait_for_screen("home")
    identity = kiosk.app.session.identity
    assert (identity.name, identity.id_number, identity.source) == ("罗镕", "43010219650930031X", "id_card")
    assert kiosk.app.current.params == {"service": "SB-001"}


def test_typed_number_with_bad_check_digit_is_refused_then_fixed(kiosk):
    screen = _open_identify(kiosk)
    kiosk.screenshot("identify_zh_Hans")
    pad = kiosk.find(id="pad")
    _type(kiosk, pad, "440106198503121238")  # the right check digit is 7
    _type_pinyin(kiosk, "zhang", "张")
    _type_pinyin(kiosk, "san", "三")
    assert kiosk.find(id="name_field").text == "张三"
    kiosk.tap(kiosk.find(id="submit_typed"))
    error = kiosk.find(id="error")
    assert error.text == "身份证号码无效，请核对后重新输入。"
    assert screen.has_identity is False and kiosk.app.session.identity is None
    kiosk.screenshot("identify_bad_check_digit")
    _type(kiosk, pad, "<7")
    kiosk.tap(kiosk.find(id="submit_typed"))
    kiosk.wait_until(lambda: screen.has_identity, what="typed number accepted")
    assert kiosk.find(id="shown_id").text == "4401**********1237"
    assert kiosk.find(id="shown_name").text == "张*"
    assert not any("张三" in text for text in kiosk.texts())
    kiosk.screenshot("identify_typed_confirm")
    kiosk.tap(kiosk.find(id="confirm"))
    kiosk.wait_for_screen("home")
    identity = kiosk.app.session.identity
    assert (identity.name, identity.id_number, identity.source) == ("张三", "440106198503121237", "typed")


def test_x_only_ends_a_number_and_short_numbers_are_refused(kiosk):
    screen = _open_identify(kiosk)
    pad = kiosk.find(id="pad")
    _type(kiosk, pad, "4301X")
    assert pad.value == "4301"
    kiosk.tap(kiosk.find(id="submit_typed"))
    assert screen.error == "An ID number has 18 characters. Please check it."
    _type(kiosk, pad, "0219650930031X")
    assert pad.value == "43010219650930031X"
    _type_pinyin(kiosk, "luo", "罗")
    _type_pinyin(kiosk, "rong", "镕", pages=2)  # rare in text, not in names: the third page, not the 14th
    kiosk.tap(kiosk.find(id="submit_typed"))
    kiosk.wait_until(lambda: screen.has_identity, what="number ending in X accepted")


def test_expired_card_is_refused_plainly(kiosk):
    screen = _open_identify(kiosk)
    kiosk.place_card("expired")
    kiosk.wait_until(lambda: screen.error, timeout=15, what="expired card message")
    assert not screen.has_identity
    assert kiosk.app.session.identity is None


def test_card_confirmation_goes_on_by_itself(kiosk):
    _open_identify(kiosk, auto_continue_s=0.3)
    kiosk.place_card("zhang_wei")
    kiosk.wait_for_screen("home", timeout=15)
    assert kiosk.app.session.identity.id_number == "440106198503121237"


def test_not_me_cancels_the_offered_identity(kiosk):
    screen = _open_identify(kiosk)
    kiosk.place_card("zhang_wei")
    kiosk.wait_until(lambda: screen.has_identity, timeout=15, what="card shown")
    kiosk.tap(kiosk.find(id="retry"))
    assert not screen.has_identity and kiosk.app.session.identity is None
    assert kiosk.app.current_screen == "identify"


def test_scanned_code_identifies_by_qr(kiosk):
    screen = _open_identify(kiosk)
    kiosk.scan("GOVBK1:b_0001:482913")
    kiosk.wait_until(lambda: screen.has_identity, timeout=15, what="scanned code accepted")
    kiosk.tap(kiosk.find(id="confirm"))
    kiosk.wait_for_screen("home")
    identity = kiosk.app.session.identity
    assert identity.source == "qr" and identity.qr_payload == "GOVBK1:b_0001:482913"


def _keys(keyboard):
    """Every key of the name keyboard that shows now."""
    from kiosk.ui.widgets.name_keyboard import NameKeyButton

    return [w for w in keyboard.walk() if isinstance(w, NameKeyButton) and w.opacity > 0]


def _check_fits(kiosk, min_target):
    """Every key is a touch target inside the window, clear of the pad and Continue, with a theme font."""
    from kivy.core.window import Window

    theme = kiosk.app.theme
    keyboard = _name_keyboard(kiosk)
    others = [kiosk.find(id="pad"), kiosk.find(id="submit_typed"), kiosk.find(id="name_field")]
    sizes = {theme.font_small, theme.font_body, theme.font_large, theme.font_title}
    for key in _keys(keyboard):
        x, y = key.to_window(*key.pos)
        assert key.width >= min_target and key.height >= min_target, (key.text, key.size)
        assert x >= 0 and x + key.width <= Window.width and y >= 0 and y + key.height <= Window.height
        assert key.font_size in sizes, (key.text, key.font_size)
        for other in others:
            ox, oy = other.to_window(*other.pos)
            apart = (x + key.width <= ox or ox + other.width <= x
                     or y + key.height <= oy or oy + other.height <= y)
            assert apart, (key.text, other)
        # The label fits on its key: no word cut, no text wider than the key.
        assert key.texture_size[0] <= key.width and key.texture_size[1] <= key.height, (
            key.text, key.texture_size, key.size)
    hint = keyboard.hint_label
    if hint is not None and hint.parent is not None:
        assert hint.texture_size[0] <= hint.width and hint.texture_size[1] <= hint.height, hint.text


@pytest.mark.parametrize("lang", ["zh_Hans", "zh_Hant", "en"])
def test_name_keyboard_with_candidates_in_each_language(kiosk, lang):
    _open_identify(kiosk)
    if lang != kiosk.app.lang:
        kiosk.tap(kiosk.find(id=f"lang_{lang}"))
    keyboard = _name_keyboard(kiosk)
    assert kiosk.find(id="name_field").text == _("Name as on your ID card", lang)
    _check_fits(kiosk, min_target=48)
    for letter in "zhang":
        kiosk.tap(keyboard.key(letter))
    shown = [key.text for key in _keys(keyboard) if key.value and not key.value.isascii()]
    assert shown[:2] == ["张", "章"]
    assert "zhang" in kiosk.find(id="name_field").text
    _check_fits(kiosk, min_target=48)
    kiosk.screenshot(f"identify_name_keyboard_{lang}")


def test_name_keyboard_fits_in_elderly_mode(kiosk):
    _open_identify(kiosk)
    kiosk.tap(kiosk.find(id="elderly_toggle"))
    kiosk.wait_until(lambda: kiosk.app.theme.button_h == 88, what="elderly sizes")
    kiosk.pump(4)
    keyboard = _name_keyboard(kiosk)
    assert keyboard.hint_label.font_size == kiosk.app.theme.font_body == 36
    for lang in ("en", "zh_Hant", "zh_Hans"):
        kiosk.tap(kiosk.find(id=f"lang_{lang}"))
        _check_fits(kiosk, min_target=60)
    for letter in "wei":
        kiosk.tap(keyboard.key(letter))
    kiosk.tap(kiosk.find(id="more", root=keyboard))
    _check_fits(kiosk, min_target=60)
    kiosk.screenshot("identify_name_keyboard_elderly")
    kiosk.tap(kiosk.find(id="mode_toggle", root=keyboard))
    _check_fits(kiosk, min_target=60)
    kiosk.screenshot("identify_name_keyboard_elderly_abc")


def test_abc_name_for_a_latin_name_card(kiosk):
    screen = _open_identify(kiosk)
    _type(kiosk, kiosk.find(id="pad"), "440106198503121237")
    keyboard = _name_keyboard(kiosk)
    kiosk.tap(kiosk.find(id="mode_toggle", root=keyboard))
    _type_letters(kiosk, "ANNA LEE")
    kiosk.tap(keyboard.key("-"))
    _type_letters(kiosk, "KIM")
    assert kiosk.find(id="name_field").text == "ANNA LEE-KIM"
    kiosk.screenshot("identify_name_abc")
    kiosk.tap(kiosk.find(id="submit_typed"))
    kiosk.wait_until(lambda: screen.has_identity, what="typed Latin name accepted")
    assert kiosk.find(id="shown_name").text == "A" + "*" * 11
    kiosk.tap(kiosk.find(id="confirm"))
    kiosk.wait_for_screen("home")
    assert kiosk.app.session.identity.name == "ANNA LEE-KIM"


def test_erase_and_pending_letters_and_the_end_of_a_visit_wipe_the_name(kiosk):
    screen = _open_identify(kiosk)
    _type(kiosk, kiosk.find(id="pad"), "440106198503121237")
    keyboard = _name_keyboard(kiosk)
    _type_pinyin(kiosk, "li", "李")
    for letter in "si":
        kiosk.tap(keyboard.key(letter))
    erase = kiosk.find(id="erase", root=keyboard)
    kiosk.tap(erase)
    assert (keyboard.name, keyboard.letters) == ("李", "s")
    # Letters with no character chosen are not a name yet: the citizen is told to choose.
    kiosk.tap(kiosk.find(id="submit_typed"))
    assert screen.error == "Please touch the character you want in the row above the letters."
    assert not screen.has_identity
    kiosk.tap(erase)
    kiosk.tap(erase)
    assert (keyboard.name, keyboard.letters) == ("", "")
    assert kiosk.find(id="name_field").text == _("Name as on your ID card", kiosk.app.lang)
    kiosk.tap(kiosk.find(id="submit_typed"))
    assert screen.error == "Please enter your name as it appears on your ID card."
    _type_pinyin(kiosk, "wang", "王")
    kiosk.tap(kiosk.find(id="clear", root=keyboard))
    assert keyboard.name == "" and kiosk.find(id="name_field").color == list(kiosk.app.theme.muted)
    _type_pinyin(kiosk, "wang", "王")
    kiosk.tap(kiosk.find(id="mode_toggle", root=keyboard))
    kiosk.app.end_visit()
    kiosk.wait_until(lambda: kiosk.app.current_screen == "attract", what="attract after the visit")
    assert (keyboard.name, keyboard.letters, keyboard.mode, keyboard.composition) == ("", "", "pinyin", "")
    assert keyboard.composer.name == ""
    _open_identify(kiosk)
    assert "王" not in "".join(kiosk.texts())


def test_portrait_screen_stacks_the_keyboards(kiosk):
    """A portrait kiosk (screen.orientation = "portrait", 1080x1920): the card above the typed way,
    the name keyboard below the numeric pad, every key still a full touch target."""
    from kivy.core.window import Window

    _open_identify(kiosk)
    landscape = tuple(Window.size)
    try:
        Window.size = (1080, 1920)
        kiosk.wait_until(lambda: tuple(Window.size) == (1080, 1920), what="a portrait window")
        kiosk.pump(4)
        pad, keyboard = kiosk.find(id="pad"), _name_keyboard(kiosk)
        assert keyboard.to_window(*keyboard.pos)[1] + keyboard.height <= pad.to_window(*pad.pos)[1]
        kiosk.tap(kiosk.find(id="elderly_toggle"))
        kiosk.pump(4)
        for letter in "zhang":
            kiosk.tap(keyboard.key(letter))
        _check_fits(kiosk, min_target=60)
        kiosk.screenshot("identify_name_keyboard_portrait_elderly")
    finally:
        Window.size = landscape
        kiosk.wait_until(lambda: tuple(Window.size) == landscape, what="the landscape window back")
        kiosk.pump(4)


def _number_fits(kiosk):
    field = kiosk.find(id="typed_number")
    kiosk.pump(2)
    return field.texture_size[0] <= field.width, field


def test_a_typed_18_digit_number_stays_inside_its_field_in_elderly_mode(kiosk):
    """Elderly mode's title size made 18 digits wider than the field, running off both ends."""
    _open_identify(kiosk)
    kiosk.tap(kiosk.find(id="elderly_toggle"))
    kiosk.wait_until(lambda: kiosk.app.theme.button_h == 88, what="elderly sizes")
    kiosk.pump(4)
    pad = kiosk.find(id="pad")
    _type(kiosk, pad, "44010619850312123")
    kiosk.tap(kiosk.find(text="X", root=pad))
    fits, field = _number_fits(kiosk)
    assert field.text == "44010619850312123X"
    assert fits, (field.texture_size, field.width)
    # Still as large as the theme allows: a size step down only, never below body text.
    assert field.font_size in (kiosk.app.theme.font_large, kiosk.app.theme.font_body)
    kiosk.screenshot("identify_typed_number_elderly")
    # The pad's Delete key keeps its word on one line in elderly English ("Delet" / "e" before).
    kiosk.tap(kiosk.find(id="lang_en"))
    kiosk.pump(4)
    delete = kiosk.find(id="backspace", root=pad)
    assert delete.text == "Delete"
    assert rendered_lines(delete) == ["Delete"] and delete.texture_size[0] <= delete.width
    kiosk.tap(kiosk.find(id="lang_zh_Hans"))
    kiosk.pump(2)
    # A short number keeps the title size.
    _type(kiosk, pad, "<" * 12)
    kiosk.pump(2)
    assert field.font_size == kiosk.app.theme.font_title
