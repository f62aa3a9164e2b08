"""Whether a whole day can still be booked (any service), and the last date the horizon reaches, with a
frozen clock: the rules the calendar answer gives the kiosk."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hall_server.domain.booking import bookable_until, booking_refusal, day_refusal
from hall_server.domain.calendar import SiteCalendar
from hall_server.domain.sites import SiteSettings

SHANGHAI = ZoneInfo("Asia/Shanghai")
SETTINGS = SiteSettings()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def refusal(calendar: SiteCalendar, day: str, now: str, rules: SiteSettings = SETTINGS) -> str | None:
    moment = at(now)
    return day_refusal(calendar.day_plan(date.fromisoformat(day)), moment.date(), moment, rules)


def test_past_closed_holiday_and_open_days(calendar: SiteCalendar) -> None:
    assert refusal(calendar, "2025-10-14", "2025-10-15 10:00") == "past"
    assert refusal(calendar, "2025-10-15", "2025-10-15 10:00") is None
    assert refusal(calendar, "2025-10-19", "2025-10-15 10:00") == "closed_day"  # a Sunday
    assert refusal(calendar, "2025-10-01", "2025-09-25 10:00") == "holiday"
    assert refusal(calendar, "2025-10-11", "2025-09-25 10:00") is None  # an adjusted working Saturday


def test_today_is_cutoff_passed_once_its_last_slot_closed(calendar: SiteCalendar) -> None:
    # Wednesday: the evening closed for booking at noon, the last regular slot (16:30) at 16:00.
    assert refusal(calendar, "2025-10-15", "2025-10-15 16:00") is None
    assert refusal(calendar, "2025-10-15", "2025-10-15 16:01") == "cutoff_passed"


def test_saturday_morning_closes_the_day_before(calendar: SiteCalendar) -> None:
    assert refusal(calendar, "2025-10-18", "2025-10-17 12:00") is None
    assert refusal(calendar, "2025-10-18", "2025-10-17 12:01") == "cutoff_passed"


def test_beyond_the_horizon_and_its_last_date(calendar: SiteCalendar) -> None:
    assert refusal(calendar, "2025-11-14", "2025-10-15 10:00") is None  # 09:00 is within 30 days
    assert refusal(calendar, "2025-11-15", "2025-10-15 10:00") == "beyond_horizon"
    assert bookable_until(calendar, at("2025-10-15 10:00"), SETTINGS) == date(2025, 11, 14)
    # At 08:00 the 30 days end before that Friday's first slot.
    assert bookable_until(calendar, at("2025-10-15 08:00"), SETTINGS) == date(2025, 11, 13)
    shorter = replace(SETTINGS, booking_horizon_days=7)
    assert bookable_until(calendar, at("2025-10-15 10:00"), shorter) == date(2025, 10, 22)


def test_an_unconfirmed_year_unless_the_site_books_it(calendar: SiteCalendar) -> None:
    day = calendar.day_plan(date(2099, 3, 4))
    assert not day.calendar_confirmed
    now = at("2099-03-01 10:00")
    assert day_refusal(day, now.date(), now, SETTINGS) == "unconfirmed"
    assert day_refusal(day, now.date(), now, replace(SETTINGS, book_unconfirmed_days=True)) is None


# The calendar fixture holds no state a generated input could change.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    offset_days=st.integers(min_value=-3, max_value=40),
    minute=st.integers(min_value=0, max_value=24 * 60 - 1),
)
def test_a_day_is_bookable_exactly_when_some_service_slot_is(
    calendar: SiteCalendar, offset_days: int, minute: int
) -> None:
    # SB-001 is offered in every session that takes bookings at HQ, so its slots are the day's.
    now = at("2025-10-13 00:00") + timedelta(minutes=minute)
    day = now.date() + timedelta(days=offset_days)
    reason = day_refusal(calendar.day_plan(day), now.date(), now, SETTINGS)
    open_slot = any(booking_refusal(s, now, SETTINGS) is None for s in calendar.slots("SB-001", day))
    assert (reason is None) == open_slot
    if reason == "beyond_horizon":
        assert day > bookable_until(calendar, now, SETTINGS)


@pytest.mark.parametrize("day", ["2025-11-15", "2025-11-16"])
def test_every_day_after_the_last_date_is_beyond_the_horizon(calendar: SiteCalendar, day: str) -> None:
    assert refusal(calendar, day, "2025-10-15 10:00") in {"beyond_horizon", "closed_day"}
