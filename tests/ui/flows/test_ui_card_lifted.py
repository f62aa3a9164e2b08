"""A card identity ends the moment the card is lifted (DESIGN §4.5), in every flow; a typed one does
not end with some card being lifted."""

from __future__ import annotations

import pytest

from kiosk.session import Identity
from tests.ui.flows.test_ui_booking import _open_booking, _to_evening_slot

pytestmark = pytest.mark.ui


def test_lifting_the_card_on_the_booking_confirmation_starts_the_booking_again(kiosk, flow_helpers):
    screen = _open_booking(kiosk)
    _to_evening_slot(kiosk, screen, flow_helpers)
    kiosk.tap(screen.confirm_button)
    flow_helpers.identify_with_card(kiosk, "booking")
    assert screen.step == "confirm" and "张*" in " ".join(kiosk.texts())
    kiosk.lift_card()
    kiosk.wait_until(lambda: kiosk.app.session.identity is None, timeout=10, what="the forgetting")
    kiosk.wait_until(lambda: screen.step == "service" and kiosk.app.card_notice.is_open,
                     what="the service list")
    assert screen.slot is None and screen.service is None
    shown = " ".join(kiosk.texts())
    assert "张*" not in shown and "4401" not in shown
    assert "身份证已取走，您的信息已清除。" in shown
    kiosk.tap(kiosk.find(id="card_removed_ok"))
    assert not kiosk.app.card_notice.is_open


def test_a_card_lifted_before_its_confirmation_stands_for_nobody(kiosk):
    kiosk.start_visit()
    kiosk.app.go("identify", next="home", purpose="records")
    screen = kiosk.wait_for_screen("identify")
    screen.auto_continue_s = None
    try:
        kiosk.place_card("zhang_wei")
        kiosk.wait_until(lambda: screen.has_identity, timeout=15, what="the card shown")
        kiosk.lift_card()
        kiosk.wait_until(lambda: not screen.has_identity, timeout=10, what="the offer withdrawn")
        screen.confirm()
        assert kiosk.app.session.identity is None and kiosk.app.current_screen == "identify"
        assert "张*" not in " ".join(kiosk.texts())
    finally:
        screen.auto_continue_s = 2.5


def test_a_typed_identity_is_kept_when_a_card_is_lifted(kiosk):
    kiosk.start_visit()
    typed = Identity(name="张伟", id_number="440106198503121237", source="typed")
    kiosk.app.session.identity = typed
    kiosk.place_card("luo_rong")
    kiosk.pump(30)
    kiosk.lift_card()
    kiosk.pump(30)
    assert kiosk.app.session.identity is typed and not kiosk.app.card_notice.is_open
