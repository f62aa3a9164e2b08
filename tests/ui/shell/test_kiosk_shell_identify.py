"""Identify by touch and devices: an ID card on the reader, a typed number (with a bad check digit)
and a name typed on the on-screen name keyboard (pinyin and candidates, or ABC letters)."""

from __future__ import annotations

import pytest

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
    _type_pinyin(kiosk, "rong", "镕", pages=11)  # a rare character, eleven pages on
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
