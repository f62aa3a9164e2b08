"""My bookings by touch, against the real hall: identify with the card → the list → move a booking with
the booking screen's calendar and slots → the slip for the new time at the printer simulator; and
list → cancel with its confirm step; a typed identity is asked for a proof first."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import requests

from kiosk.session import Identity

pytestmark = pytest.mark.ui

THURSDAY = date(2026, 11, 26)
CHEN_KUN = {"id_number": "310104197802150023", "name": "陈堃"}


def hall_call(kiosk: Any, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    reply = requests.request(
        method, f"{kiosk.hall.url}/api/v1{path}", timeout=10,
        headers={"Authorization": f"Bearer {kiosk.app.kiosk_config.hall.token}"}, **kwargs,
    )
    assert reply.status_code < 300, reply.text
    return dict(reply.json())


def booked(kiosk: Any, slot: str, service: str = "SB-001") -> dict[str, Any]:
    """A booking made beforehand (as on another day, at another kiosk) for the card's person."""
    body = {"service": service, "slot_id": slot, "citizen": CHEN_KUN, "channel": "web"}
    return hall_call(kiosk, "POST", "/bookings", json=body)


def status_of(kiosk: Any, booking_id: str) -> str:
    return str(hall_call(kiosk, "GET", f"/bookings/{booking_id}")["status"])


def open_with_card(kiosk: Any, h: Any, booking_id: str) -> Any:
    kiosk.start_visit()
    kiosk.tap(kiosk.find(id="tile_my_bookings"))
    h.identify_with_card(kiosk, "my_bookings", card="chen_kun")
    screen = kiosk.app.screen("my_bookings")
    kiosk.wait_until(lambda: screen.step == "list" and booking_id in screen.booking_rows and not screen.busy,
                     timeout=20, what="the list of bookings")
    return screen


def test_list_then_move_to_another_time_prints_a_slip_that_replaces_the_old_one(kiosk, flow_helpers):
    old = booked(kiosk, "HQ:SB-001:2026-11-26T09:00")
    screen = open_with_card(kiosk, flow_helpers, old["id"])
    shown = " ".join(kiosk.texts())
    assert old["check_in_code"] in shown and "陈*" in shown and CHEN_KUN["id_number"] not in shown
    flow_helpers.shots(kiosk, "my_bookings_list", screen.render)
    english = flow_helpers.hall_service(kiosk, "SB-001", "en")["name"]
    kiosk.app.set_language("en")
    kiosk.wait_until(lambda: english in " ".join(kiosk.texts()) and not screen.busy, timeout=15,
                     what="the service named in English")

    kiosk.tap(screen.booking_rows[old["id"]].move_button)
    kiosk.wait_until(lambda: screen.step == "day" and screen.day_cells, timeout=15, what="the calendar")
    kiosk.tap(screen.day_cells[THURSDAY])
    kiosk.wait_until(lambda: screen.step == "slot" and screen.slot_buttons, timeout=15, what="the slots")
    # The booking's own time is not offered as a new one.
    own = screen.slot_buttons[old["slot_id"]]
    assert own.disabled and "Your booking now" in own.text
    target = next(s for s in screen.slots if s.bookable and s.start.hour >= 14)
    flow_helpers.tap_in_list(kiosk, screen.slot_list, screen.slot_buttons[target.id])
    kiosk.wait_until(lambda: screen.step == "move_confirm", what="the confirm step")
    # Chosen in English, the service keeps its English name through the calendar and slots.
    assert f"Service: {english}" in kiosk.texts()
    kiosk.app.set_language("zh_Hans")
    kiosk.wait_until(lambda: not screen.busy and "原预约：11月26日 周四 09:00-09:30" in kiosk.texts(),
                     timeout=15, what="the confirm step in Chinese again")
    flow_helpers.shots(kiosk, "my_bookings_move_confirm", screen.render)
    kiosk.tap(screen.confirm_move_button)
    kiosk.wait_until(lambda: screen.step == "moved" and screen.print_outcome is not None, timeout=30,
                     what="moved and printed")
    moved = screen.moved
    assert moved.replaces == old["id"] and moved.start == target.start
    assert screen.print_outcome.printed and screen.code_label.text == moved.check_in_code
    assert screen.qr.data == moved.qr_payload
    [slip] = kiosk.wait_until(lambda: kiosk.new_tickets(), timeout=15, what="the slip")
    printed = "".join(slip.text.split())
    assert moved.check_in_code in printed and old["check_in_code"] not in printed
    assert "本预约替代您原来的预约：2026年11月26日周四09:00-09:30原预约凭条和签到码已作废。" in printed
    assert f"{target.start:%H:%M}-{target.end:%H:%M}" in printed
    assert slip.qr_payloads == [moved.qr_payload]
    (kiosk.artifacts / "flows_my_bookings_slip.png").write_bytes(slip.png)
    flow_helpers.shots(kiosk, "my_bookings_moved", screen.render)
    kiosk.app.set_language("zh_Hant")
    kiosk.wait_until(lambda: not screen.busy, timeout=15, what="the moved step in Traditional")
    assert any("11月26日 週四 09:00-09:30" in text for text in kiosk.texts())
    kiosk.app.set_language("zh_Hans")
    kiosk.pump(2)
    assert status_of(kiosk, old["id"]) == "cancelled" and status_of(kiosk, moved.id) == "booked"

    kiosk.tap(screen.finish_button)
    review = kiosk.wait_for_screen("review")
    assert review.subject.type == "booking" and review.subject.id == moved.id
    # What the hall said about the person stays in the visit only, and goes with it.
    kiosk.app.end_visit()
    kiosk.wait_for_screen("attract")
    assert kiosk.app.session.is_empty()


def test_list_then_cancel_with_a_confirm_step(kiosk, flow_helpers):
    kept = booked(kiosk, "HQ:SB-001:2026-11-27T14:00")
    screen = open_with_card(kiosk, flow_helpers, kept["id"])
    kiosk.tap(screen.booking_rows[kept["id"]].cancel_button)
    kiosk.wait_until(lambda: screen.step == "cancel", what="the confirm step")
    flow_helpers.shots(kiosk, "my_bookings_cancel", screen.render)
    # Keeping it changes nothing.
    kiosk.tap(screen.keep_button)
    kiosk.wait_until(lambda: screen.step == "list", what="the list again")
    assert status_of(kiosk, kept["id"]) == "booked"
    kiosk.tap(screen.booking_rows[kept["id"]].cancel_button)
    kiosk.wait_until(lambda: screen.step == "cancel", what="the confirm step")
    kiosk.tap(screen.confirm_cancel_button)
    kiosk.wait_until(lambda: screen.step == "list" and kept["id"] not in screen.booking_rows
                     and not screen.busy, timeout=20, what="the list without it")
    assert "11月27日 周五 14:00-14:30 的预约已取消" in screen.message
    kiosk.screenshot("flows_my_bookings_cancelled_zh_Hans")
    kiosk.app.set_language("zh_Hant")
    kiosk.wait_until(lambda: "11月27日 週五 14:00-14:30 的預約已取消" in screen.message and not screen.busy,
                     timeout=15, what="the note in Traditional")
    kiosk.screenshot("flows_my_bookings_cancelled_zh_Hant")
    kiosk.app.set_language("zh_Hans")
    assert status_of(kiosk, kept["id"]) == "cancelled"


def test_a_typed_identity_is_asked_to_show_it_is_them_and_a_card_opens_the_list(kiosk):
    kept = booked(kiosk, "HQ:SB-001:2026-11-30T10:00")
    kiosk.start_visit()
    kiosk.app.session.identity = Identity(name=CHEN_KUN["name"], id_number=CHEN_KUN["id_number"],
                                          source="typed")
    kiosk.tap(kiosk.find(id="tile_my_bookings"))
    screen = kiosk.wait_for_screen("my_bookings")
    kiosk.wait_until(lambda: screen.step == "proof", what="the proof choice")
    assert screen.held is None and kept["check_in_code"] not in " ".join(kiosk.texts())
    kiosk.screenshot("flows_my_bookings_proof_zh_Hans")
    kiosk.place_card("chen_kun")
    kiosk.wait_until(lambda: screen.step == "list" and kept["id"] in screen.booking_rows, timeout=20,
                     what="the list after the card")
