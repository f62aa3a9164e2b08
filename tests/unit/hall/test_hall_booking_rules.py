"""Booking rules with a frozen clock: cut-offs of the evening and Saturday sessions, capacity,
duplicates, no-show suspension, check-in window, check-in codes and the QR payload."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall_server.domain.booking import (
    ActiveBooking,
    QrPayloadError,
    booking_refusal,
    check_in_refusal,
    check_in_window,
    find_duplicate,
    new_check_in_code,
    parse_qr_payload,
    qr_payload,
    suspended_until,
)
from hall_server.domain.calendar import SiteCalendar, Slot
from hall_server.domain.holidays import HolidayCalendar
from hall_server.domain.sites import Site, SiteSettings, load_site

SHANGHAI = ZoneInfo("Asia/Shanghai")
SETTINGS = SiteSettings()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def slot(calendar: SiteCalendar, ident: str) -> Slot:
    return calendar.find_slot(ident)


def test_wednesday_evening_bookable_until_noon_that_day(calendar: SiteCalendar) -> None:
    evening = slot(calendar, "HQ:SB-001:2025-10-15T19:00")
    assert booking_refusal(evening, at("2025-10-15 11:59"), SETTINGS) is None
    assert booking_refusal(evening, at("2025-10-15 12:00"), SETTINGS) is None
    assert booking_refusal(evening, at("2025-10-15 12:01"), SETTINGS) == "cutoff_passed"
    assert booking_refusal(evening, at("2025-10-14 15:00"), SETTINGS) is None


def test_saturday_morning_bookable_until_friday_noon(calendar: SiteCalendar) -> None:
    morning = slot(calendar, "HQ:SB-001:2025-10-18T10:30")
    assert booking_refusal(morning, at("2025-10-17 11:59"), SETTINGS) is None
    assert booking_refusal(morning, at("2025-10-17 12:01"), SETTINGS) == "cutoff_passed"
    assert booking_refusal(morning, at("2025-10-18 08:00"), SETTINGS) == "cutoff_passed"


def test_regular_slot_closes_thirty_minutes_before(calendar: SiteCalendar) -> None:
    regular = slot(calendar, "HQ:SB-001:2025-10-16T14:00")
    assert booking_refusal(regular, at("2025-10-16 13:29"), SETTINGS) is None
    assert booking_refusal(regular, at("2025-10-16 13:30"), SETTINGS) is None
    assert booking_refusal(regular, at("2025-10-16 13:31"), SETTINGS) == "cutoff_passed"
    assert booking_refusal(regular, at("2025-10-16 14:10"), SETTINGS) == "cutoff_passed"


def test_capacity(calendar: SiteCalendar) -> None:
    evening = slot(calendar, "HQ:SB-001:2025-10-15T19:00")
    now = at("2025-10-15 09:00")
    assert booking_refusal(evening, now, SETTINGS, booked=3) is None
    assert booking_refusal(evening, now, SETTINGS, booked=4) == "slot_full"
    staffed_up = calendar.find_slot(evening.id, capacity_overrides={evening.id: 6})
    assert booking_refusal(staffed_up, now, SETTINGS, booked=5) is None
    closed = calendar.find_slot(evening.id, capacity_overrides={evening.id: 0})
    assert booking_refusal(closed, now, SETTINGS) == "slot_full"


def test_closed_day_and_service_not_offered() -> None:
    assert booking_refusal(None, at("2025-09-25 09:00"), SETTINGS) == "closed_day"
    assert booking_refusal(None, at("2025-09-25 09:00"), SETTINGS, offered=False) == "service_not_offered"


def test_unconfirmed_calendar_depends_on_site_setting(hq: Site) -> None:
    calendar = SiteCalendar(hq, HolidayCalendar(), department_of=lambda _: "HRSS")
    future = calendar.find_slot("HQ:SB-001:2027-01-06T09:00")
    now = at("2026-12-20 09:00")
    assert booking_refusal(future, now, SETTINGS) == "calendar_unconfirmed"
    assert booking_refusal(future, now, replace(SETTINGS, book_unconfirmed_days=True)) is None


def test_booking_horizon(calendar: SiteCalendar) -> None:
    regular = slot(calendar, "HQ:SB-001:2025-10-16T14:00")
    assert booking_refusal(regular, at("2025-09-16 14:00"), SETTINGS) is None
    assert booking_refusal(regular, at("2025-09-16 13:59"), SETTINGS) == "beyond_horizon"


def test_suspension_is_reported_first(calendar: SiteCalendar) -> None:
    regular = slot(calendar, "HQ:SB-001:2025-10-16T14:00")
    now = at("2025-10-16 09:00")
    assert booking_refusal(regular, now, SETTINGS, booked=99, suspended_until=now + timedelta(days=1)) == (
        "booking_suspended"
    )
    assert booking_refusal(regular, now, SETTINGS, suspended_until=now) is None


def test_one_active_booking_per_person_service_and_day() -> None:
    mine = ActiveBooking("b_1", "11010519491231002X", "SB-001", date(2025, 10, 15))
    existing = [mine, ActiveBooking("b_2", "110101199003074477", "SB-001", date(2025, 10, 15))]
    assert find_duplicate(existing, "11010519491231002x", "SB-001", date(2025, 10, 15)) is mine
    assert find_duplicate(existing, "11010519491231002X", "SB-002", date(2025, 10, 15)) is None
    assert find_duplicate(existing, "11010519491231002X", "SB-001", date(2025, 10, 16)) is None


def test_no_show_suspension_after_three_in_thirty_days() -> None:
    now = at("2025-10-20 10:00")
    two = [at("2025-10-01 09:00"), at("2025-10-10 09:00")]
    assert suspended_until(two, now, SETTINGS) is None
    three = [*two, at("2025-10-15 09:00")]
    assert suspended_until(three, now, SETTINGS) == at("2025-11-14 09:00")
    old = [at("2025-09-01 09:00"), at("2025-10-10 09:00"), at("2025-10-15 09:00")]
    assert suspended_until(old, now, SETTINGS) is None  # the first is older than 30 days
    assert suspended_until(three, at("2025-11-14 09:00"), replace(SETTINGS, no_show_window_days=60)) is None
    assert suspended_until(three, now, replace(SETTINGS, no_show_limit=0)) is None
    assert suspended_until(three[:2], now, replace(SETTINGS, no_show_limit=2)) == at("2025-11-09 09:00")


def test_check_in_window() -> None:
    start = at("2025-10-15 17:30")
    assert check_in_window(start, SETTINGS) == (at("2025-10-15 17:00"), at("2025-10-15 17:45"))
    assert check_in_refusal(at("2025-10-15 16:59"), start, SETTINGS) == "too_early"
    assert check_in_refusal(at("2025-10-15 17:00"), start, SETTINGS) is None
    assert check_in_refusal(at("2025-10-15 17:45"), start, SETTINGS) is None
    assert check_in_refusal(at("2025-10-15 17:46"), start, SETTINGS) == "too_late"
    wide = replace(SETTINGS, check_in_early_minutes=60, check_in_late_minutes=0)
    assert check_in_refusal(at("2025-10-15 16:40"), start, wide) is None
    assert check_in_refusal(at("2025-10-15 17:31"), start, wide) == "too_late"


def test_check_in_codes_come_from_the_injected_source() -> None:
    first = [new_check_in_code(random.Random(7)) for _ in range(3)]
    assert len(set(first)) == 1 and len(first[0]) == 6 and first[0].isdigit()
    rng = random.Random(7)
    codes = [new_check_in_code(rng) for _ in range(200)]
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(set(codes)) > 190


def test_check_in_code_avoids_taken_codes() -> None:
    taken = {new_check_in_code(random.Random(3))}
    assert new_check_in_code(random.Random(3), taken) not in taken


def test_qr_payload_round_trip() -> None:
    payload = qr_payload("b_7Yx-2", "042917")
    assert payload == "GOVBK1:b_7Yx-2:042917"
    assert parse_qr_payload(payload) == ("b_7Yx-2", "042917")
    assert parse_qr_payload(payload.encode()) == ("b_7Yx-2", "042917")
    with pytest.raises(ValueError):
        qr_payload("b 1", "042917")


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        ("", "format"),
        ("GOVBK1:b_1", "format"),
        ("GOVBK2:b_1:042917", "format"),
        ("govbk1:b_1:042917", "format"),
        ("GOVBK1:b_1:042917:x", "format"),
        ("GOVBK1::042917", "booking_id"),
        ("GOVBK1:b 1:042917", "booking_id"),
        ("GOVBK1:b_1:42917", "check_in_code"),
        ("GOVBK1:b_1:０４２９１７", "check_in_code"),
        ("GOVBK1:b_1:042917\n", "check_in_code"),
        (" GOVBK1:b_1:042917", "format"),
        (b"GOVBK1:b_1:04291\xff", "not_ascii"),
        ("GOVBK1:" + "b" * 80 + ":042917", "too_long"),
    ],
)
def test_bad_qr_payloads(payload: str | bytes, detail: str) -> None:
    with pytest.raises(QrPayloadError) as caught:
        parse_qr_payload(payload)
    assert caught.value.code == "invalid_qr_payload"
    assert caught.value.detail == detail


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(st.one_of(st.text(max_size=100), st.binary(max_size=100)))
def test_qr_parser_fuzz(payload: str | bytes) -> None:
    try:
        booking_id, code = parse_qr_payload(payload)
    except QrPayloadError:
        return
    text = payload.decode("ascii") if isinstance(payload, bytes) else payload
    assert text == qr_payload(booking_id, code)


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True), st.from_regex(r"[0-9]{6}", fullmatch=True))
def test_every_payload_we_make_parses_back(booking_id: str, code: str) -> None:
    assert parse_qr_payload(qr_payload(booking_id, code)) == (booking_id, code)


def test_service_the_catalogue_marks_unbookable(hq: Site) -> None:
    # CR-003 (exit-entry record enquiry) is done at the 24-hour kiosks, never booked.
    calendar = SiteCalendar(hq, HolidayCalendar())
    slots = calendar.slots("CR-003", date(2025, 10, 16))
    assert slots and not any(s.service_bookable for s in slots)
    assert booking_refusal(slots[0], at("2025-10-15 09:00"), SETTINGS) == "service_not_offered"
    bookable = calendar.slots("CR-001", date(2025, 10, 16))[0]
    assert booking_refusal(bookable, at("2025-10-15 09:00"), SETTINGS) is None


@settings(deadline=None)
@given(
    st.sampled_from(
        ["HQ:SB-001:2025-10-15T17:00", "HQ:SB-001:2025-10-16T09:00", "HQ:SB-001:2025-10-18T11:30"]
    ),
    st.integers(-5 * 24 * 60, 2 * 24 * 60),
    st.integers(0, 8),
)
def test_refusal_agrees_with_the_rules(ident: str, minutes: int, booked: int) -> None:
    calendar = SiteCalendar(load_site("HQ"), HolidayCalendar(), department_of=lambda _: "HRSS")
    target = calendar.find_slot(ident)
    now = target.start + timedelta(minutes=minutes)
    reason = booking_refusal(target, now, SETTINGS, booked=booked)
    too_late = now > target.booking_cutoff or now >= target.start
    if reason is None:
        assert not too_late and booked < target.capacity
    elif reason == "cutoff_passed":
        assert too_late
    elif reason == "slot_full":
        assert not too_late and booked >= target.capacity
    else:
        pytest.fail(f"unexpected reason {reason}")
