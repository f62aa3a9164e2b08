"""Booking by touch: service → calendar → slot → identify → confirm → QR on screen and the slip."""

from __future__ import annotations

from datetime import date

import pytest

pytestmark = pytest.mark.ui

WEDNESDAY = date(2026, 11, 25)


def _open_booking(kiosk):
    kiosk.start_visit()
    kiosk.tap(kiosk.find(id="tile_booking"))
    screen = kiosk.wait_for_screen("booking")
    kiosk.wait_until(lambda: getattr(screen, "service_buttons", None) and not screen.busy, timeout=15,
                     what="bookable services")
    return screen


def _to_evening_slot(kiosk, screen, h):
    for letter in "SB":
        kiosk.tap(screen.keyboard.key(letter))
    h.tap_service(kiosk, screen)
    kiosk.wait_until(lambda: screen.step == "day" and screen.day_cells, timeout=15, what="the calendar")
    kiosk.tap(screen.day_cells[WEDNESDAY])
    kiosk.wait_until(lambda: screen.step == "slot" and screen.slot_buttons, timeout=15, what="slots")
    evening = [s for s in screen.slots if s.session == "evening" and s.bookable]
    h.tap_in_list(kiosk, screen.slot_list, screen.slot_buttons[evening[0].id])
    kiosk.wait_until(lambda: screen.step == "confirm", what="the confirm step")
    return evening[0]


def test_calendar_shows_sessions_holidays_and_cutoffs(kiosk, flow_helpers):
    screen = _open_booking(kiosk)
    flow_helpers.shots(kiosk, "booking_services", screen.render)
    for letter in "SB":
        kiosk.tap(screen.keyboard.key(letter))
    assert screen.search_label.text == "已输入：SB"
    assert all("SB" in s.pinyin_initials.upper() or "SB" in s.code for s in screen.catalogue.services
               if s.code in screen.service_buttons)
    flow_helpers.tap_service(kiosk, screen)
    kiosk.wait_until(lambda: screen.step == "day" and screen.day_cells, timeout=15, what="the calendar")
    wednesday = screen.day_cells[WEDNESDAY]
    assert "夜市" in wednesday.text and not wednesday.disabled and wednesday.kind == "evening"
    saturday = screen.day_cells[date(2026, 11, 28)]
    assert "晨办" in saturday.text and saturday.kind == "morning"
    sunday = screen.day_cells[date(2026, 11, 29)]
    assert sunday.disabled and sunday.kind == "closed"
    assert screen.day_cells[date(2026, 11, 24)].disabled  # yesterday for the hall
    shown = " ".join(kiosk.texts())
    assert "当天12:00前预约" in shown and "请于前一天（周五）12:00前预约" in shown
    flow_helpers.shots(kiosk, "booking_calendar", screen.render)

    kiosk.app.set_language("en")
    kiosk.pump(3)
    assert "Evening" in screen.day_cells[WEDNESDAY].text
    assert "Book by 12:00 the same day" in " ".join(kiosk.texts())
    kiosk.app.set_language("zh_Hans")
    kiosk.pump(2)

    # The hall books 30 days ahead: December is the last month offered, and its days after the
    # 25th say they are not open yet instead of offering slots that would all be refused.
    assert screen.prev_month_button.disabled  # the hall's today is in November
    kiosk.tap(screen.next_month_button)
    kiosk.wait_until(lambda: screen.month_view.month == 12, timeout=15, what="December")
    assert screen.next_month_button.disabled
    assert not screen.day_cells[date(2026, 12, 25)].disabled
    beyond = screen.day_cells[date(2026, 12, 28)]
    assert beyond.disabled and "未开放" in beyond.text
    assert any("之后的日期暂不开放预约" in text for text in kiosk.texts())
    flow_helpers.shots(kiosk, "booking_calendar_horizon", screen.render)
    kiosk.tap(screen.next_month_button)
    kiosk.pump(2)
    assert screen.month_view.month == 12

    kiosk.tap(screen.prev_month_button)
    kiosk.wait_until(lambda: screen.month_view.month == 11, timeout=15, what="November again")
    assert screen.prev_month_button.disabled
    kiosk.tap(screen.day_cells[WEDNESDAY])
    kiosk.wait_until(lambda: screen.step == "slot" and screen.slot_buttons, timeout=15, what="slots")
    early = [s for s in screen.slots if s.start.hour < 10]
    assert early and all(screen.slot_buttons[s.id].disabled for s in early)
    assert "该时段已于08:30截止预约" in screen.slot_buttons[early[0].id].text
    flow_helpers.shots(kiosk, "booking_slots", screen.render)


def test_book_wednesday_evening_by_touch_prints_the_slip(kiosk, flow_helpers):
    screen = _open_booking(kiosk)
    slot = _to_evening_slot(kiosk, screen, flow_helpers)
    kiosk.tap(screen.confirm_button)
    flow_helpers.identify_with_card(kiosk, "booking")
    assert screen.step == "confirm"
    assert "张*" in " ".join(kiosk.texts())
    flow_helpers.shots(kiosk, "booking_confirm", screen.render)
    kiosk.tap(screen.confirm_button)
    kiosk.wait_until(lambda: screen.step == "done" and screen.print_outcome is not None, timeout=30,
                     what="booking done and printed")
    booking = screen.booking
    assert booking.start == slot.start and booking.session == "evening"
    assert screen.qr.data == booking.qr_payload and screen.code_label.text == booking.check_in_code
    assert screen.print_outcome.printed
    [slip] = kiosk.wait_until(lambda: kiosk.new_tickets(), timeout=15, what="the slip")
    assert booking.check_in_code in slip.text and "周三夜市" in slip.text
    assert slip.qr_payloads == [booking.qr_payload]
    (kiosk.artifacts / "flows_booking_slip.png").write_bytes(slip.png)
    flow_helpers.shots(kiosk, "booking_done", screen.render)
    kiosk.tap(screen.finish_button)
    review = kiosk.wait_for_screen("review")
    assert review.subject.type == "booking" and review.subject.id == booking.id


def test_slip_not_printed_shows_the_qr_and_says_why(kiosk, flow_helpers):
    screen = _open_booking(kiosk)
    _to_evening_slot(kiosk, screen, flow_helpers)
    kiosk.tap(screen.confirm_button)
    flow_helpers.identify_with_card(kiosk, "booking", card="liu_zhe")
    kiosk.printer_control("paper_out")
    kiosk.tap(screen.confirm_button)
    kiosk.wait_until(lambda: screen.step == "done" and screen.print_outcome is not None, timeout=30,
                     what="booking done, print refused")
    assert not screen.print_outcome.printed and screen.print_outcome.reason == "paper_out"
    assert "打印机缺纸" in screen.print_label.text
    assert screen.qr.data == screen.booking.qr_payload
    assert kiosk.new_tickets() == []
    flow_helpers.shots(kiosk, "booking_paper_out", screen.render)


def test_confirm_and_done_steps_follow_a_language_switch_without_a_second_slip(kiosk, flow_helpers,
                                                                             monkeypatch):
    screen = _open_booking(kiosk)
    _to_evening_slot(kiosk, screen, flow_helpers)
    code = screen.service.code
    names = {lang: flow_helpers.hall_service(kiosk, code, lang) for lang in ("zh-Hans", "zh-Hant", "en")}

    def shown():
        return " ".join(kiosk.texts())

    kiosk.tap(screen.confirm_button)
    flow_helpers.identify_with_card(kiosk, "booking", card="qiqige")
    assert screen.step == "confirm"
    kiosk.tap(kiosk.find(id="lang_en"))
    kiosk.wait_until(lambda: screen.service.name == names["en"]["name"] and not screen.busy, timeout=15,
                     what="the confirm step in English")
    assert f"Service: {names['en']['name']}" in shown()
    kiosk.tap(kiosk.find(id="lang_zh_Hans"))
    kiosk.wait_until(lambda: screen.service.name == names["zh-Hans"]["name"] and not screen.busy,
                     timeout=15, what="the confirm step in 简体")
    # Booking itself must not be asked again on a switch: count what reaches the hall.
    hall = kiosk.app.hall
    created = []
    original_create = hall.create_booking

    def counted(*args, **kwargs):
        created.append(kwargs.get("lang"))
        return original_create(*args, **kwargs)

    monkeypatch.setattr(hall, "create_booking", counted)
    kiosk.tap(screen.confirm_button)
    kiosk.wait_until(lambda: screen.step == "done" and screen.print_outcome is not None, timeout=30,
                     what="booking done and printed")
    booked = screen.booking
    assert booked.service_name == names["zh-Hans"]["name"]
    [slip] = kiosk.wait_until(lambda: kiosk.new_tickets(), timeout=15, what="the slip")
    assert names["zh-Hans"]["name"] in slip.text

    for lang, api in (("zh_Hant", "zh-Hant"), ("en", "en")):
        kiosk.tap(kiosk.find(id=f"lang_{lang}"))
        expected = names[api]
        kiosk.wait_until(lambda e=expected: screen.booking.service_name == e["name"] and not screen.busy,
                         timeout=15, what=f"the booking in {lang}")
        assert screen.booking.where == expected["guide"]["where"]
        assert expected["name"] in shown() and expected["guide"]["where"] in shown()
    # Only the words changed: the same booking, code and QR; no second booking, no second slip.
    assert (screen.booking.id, screen.booking.check_in_code, screen.booking.qr_payload) == (
        booked.id, booked.check_in_code, booked.qr_payload)
    assert screen.qr.data == booked.qr_payload and screen.code_label.text == booked.check_in_code
    assert created == ["zh_Hans"] and len(kiosk.new_tickets()) == 1
    kiosk.screenshot("flows_booking_done_switched_en")

    # The hall gone: the English words stay and nothing is said.
    kiosk.stop_hall()
    try:
        kiosk.tap(kiosk.find(id="lang_zh_Hant"))
        kiosk.wait_until(lambda: not kiosk.app.hall_online and not screen.busy, timeout=20,
                         what="the failed fetch")
        assert screen.message == "" and screen.booking.service_name == names["en"]["name"]
        assert names["en"]["name"] in shown() and not screen.finish_button.disabled
    finally:
        kiosk.start_hall()


def test_erase_key_fits_its_key_in_every_language_and_text_size(kiosk):
    screen = _open_booking(kiosk)
    for elderly in (False, True):
        kiosk.app.elderly = elderly
        for lang in ("zh_Hans", "zh_Hant", "en"):
            kiosk.tap(kiosk.find(id=f"lang_{lang}"))
            kiosk.wait_until(lambda: screen.keyboard is not None and not screen.busy, what="the keyboard")
            kiosk.pump(3)
            erase, letter = screen.keyboard.key("back"), screen.keyboard.key("A")
            theme = kiosk.app.theme
            # One line, inside the key, in one of the theme's sizes, never larger than a letter.
            assert erase.texture_size[0] <= erase.width - 10 and erase.texture_size[1] < erase.height
            lines = [[word.text for word in line.words] for line in erase._label._cached_lines]
            assert len(lines) == 1, (elderly, lang, erase.font_size, erase.width, lines)
            assert erase.font_size in (theme.font_large, theme.font_body, theme.font_small)
            assert erase.font_size == erase._label.options["font_size"]
            assert erase.font_size <= letter.font_size
            if elderly:
                assert erase.font_size >= 28
            if (elderly, lang) == (True, "en"):
                kiosk.screenshot("flows_booking_services_elderly_en")
    kiosk.app.elderly = False
