"""The site calendar of HQ: sessions, cut-offs, holidays, adjusted working days, opening hours."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hall_server.domain.calendar import SiteCalendar, SlotIdError, parse_slot_id
from hall_server.domain.holidays import HolidayCalendar
from hall_server.domain.sites import load_site

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """A frozen instant in Shanghai time, e.g. at("2025-10-15 11:59")."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def kinds(calendar: SiteCalendar, day: date) -> list[tuple[str, str, str]]:
    return [(s.kind, f"{s.start:%H:%M}", f"{s.end:%H:%M}") for s in calendar.day_plan(day).sessions]


def test_ordinary_wednesday_has_regular_and_evening_sessions(calendar: SiteCalendar) -> None:
    plan = calendar.day_plan(date(2025, 10, 15))
    assert (plan.weekday, plan.workday, plan.holiday, plan.calendar_confirmed) == (3, True, None, True)
    assert kinds(calendar, plan.date) == [
        ("self_service", "00:00", "00:00"),
        ("regular", "09:00", "12:00"),
        ("regular", "13:00", "17:00"),
        ("evening", "17:00", "21:00"),
    ]
    evening = plan.sessions[-1]
    assert evening.rule.name("zh-Hans") == "周三夜市"
    assert evening.booking_cutoff == at("2025-10-15 12:00")
    assert plan.sessions[1].booking_cutoff == at("2025-10-15 08:30")
    assert plan.sessions[0].end == at("2025-10-16 00:00")


def test_ordinary_thursday_has_no_evening(calendar: SiteCalendar) -> None:
    assert [k for k, _, _ in kinds(calendar, date(2025, 10, 16))] == ["self_service", "regular", "regular"]


def test_saturday_morning_cutoff_is_friday_noon(calendar: SiteCalendar) -> None:
    plan = calendar.day_plan(date(2025, 10, 18))
    assert [s.kind for s in plan.staffed_sessions] == ["morning"]
    assert plan.staffed_sessions[0].booking_cutoff == at("2025-10-17 12:00")
    assert plan.staffed_sessions[0].rule.name("zh-Hant") == "週六晨辦"


def test_sunday_only_self_service(calendar: SiteCalendar) -> None:
    assert kinds(calendar, date(2025, 10, 19)) == [("self_service", "00:00", "00:00")]


def test_wednesday_national_day_has_no_staffed_session(calendar: SiteCalendar) -> None:
    plan = calendar.day_plan(date(2025, 10, 1))
    assert plan.weekday == 3 and not plan.workday
    assert plan.holiday_name("zh-Hans") == "国庆节"
    assert plan.holiday_name("zh-Hant") == "國慶節"
    assert plan.holiday_name("en") == "National Day"
    assert plan.staffed_sessions == ()
    assert [s.kind for s in plan.sessions] == ["self_service"]
    assert calendar.slots("SB-001", plan.date) == []


def test_holiday_saturday_has_no_morning_session(calendar: SiteCalendar) -> None:
    plan = calendar.day_plan(date(2025, 10, 4))
    assert plan.holiday_name("en") == "National Day"
    assert plan.staffed_sessions == ()


def test_mid_autumn_in_the_national_day_week_is_named(calendar: SiteCalendar) -> None:
    assert calendar.day_plan(date(2025, 10, 6)).holiday_name("zh-Hans") == "中秋节"


def test_adjusted_working_saturday_runs_workday_sessions(calendar: SiteCalendar) -> None:
    plan = calendar.day_plan(date(2025, 10, 11))
    assert plan.weekday == 6 and plan.workday and plan.adjusted_workday and plan.holiday is None
    assert [(s.kind, f"{s.start:%H:%M}") for s in plan.staffed_sessions] == [
        ("regular", "09:00"),
        ("regular", "13:00"),
    ]


def test_adjusted_working_sunday_runs_workday_sessions(calendar: SiteCalendar) -> None:
    plan = calendar.day_plan(date(2025, 9, 28))
    assert plan.adjusted_workday
    assert [s.kind for s in plan.staffed_sessions] == ["regular", "regular"]


def test_year_without_data_uses_weekday_rules_unconfirmed(calendar: SiteCalendar) -> None:
    # 2027-10-06 is a Wednesday; no package data exists for 2027 yet.
    plan = calendar.day_plan(date(2027, 10, 6))
    assert not plan.calendar_confirmed
    assert plan.workday and plan.holiday is None
    assert [s.kind for s in plan.staffed_sessions] == ["regular", "regular", "evening"]
    assert all(not slot.calendar_confirmed for slot in calendar.slots("SB-001", plan.date))


def test_regular_slots_close_thirty_minutes_before_each_start(calendar: SiteCalendar) -> None:
    slots = calendar.slots("RE-001", date(2025, 10, 15))
    assert len(slots) == 14  # 6 in the morning, 8 in the afternoon; real estate is not in the evening
    first, last = slots[0], slots[-1]
    assert first.id == "HQ:RE-001:2025-10-15T09:00"
    assert (first.start, first.end, first.booking_cutoff) == (
        at("2025-10-15 09:00"),
        at("2025-10-15 09:30"),
        at("2025-10-15 08:30"),
    )
    assert (last.start, last.booking_cutoff) == (at("2025-10-15 16:30"), at("2025-10-15 16:00"))
    assert {slot.capacity for slot in slots} == {6}


def test_evening_slots_share_the_noon_cutoff(calendar: SiteCalendar) -> None:
    evening = [s for s in calendar.slots("SB-001", date(2025, 10, 15)) if s.session.kind == "evening"]
    assert [f"{s.start:%H:%M}" for s in evening] == [
        "17:00",
        "17:30",
        "18:00",
        "18:30",
        "19:00",
        "19:30",
        "20:00",
        "20:30",
    ]
    assert {s.booking_cutoff for s in evening} == {at("2025-10-15 12:00")}
    assert {s.capacity for s in evening} == {4}


def test_saturday_offers_only_its_departments(calendar: SiteCalendar) -> None:
    assert calendar.slots("RE-001", date(2025, 10, 18)) == []
    assert len(calendar.slots("VM-001", date(2025, 10, 18))) == 6


def test_capacity_override_applies_to_one_slot(calendar: SiteCalendar) -> None:
    slots = calendar.slots("SB-001", date(2025, 10, 15), capacity_overrides={"HQ:SB-001:2025-10-15T17:30": 9})
    assert [s.capacity for s in slots if s.session.kind == "evening"][:3] == [4, 9, 4]


def test_find_slot_by_id(calendar: SiteCalendar) -> None:
    slot = calendar.find_slot("HQ:SB-001:2025-10-15T17:30")
    assert slot.start == at("2025-10-15 17:30") and slot.session.kind == "evening"
    for bad in [
        "HQ:SB-001:2025-10-15T17:15",
        "HQ:SB-001:2025-10-01T09:00",
        "XX:SB-001:2025-10-15T17:30",
        "HQ:SB-001:2025-02-30T09:00",
        "HQ:SB-001",
        "",
        "HQ:SB 001:2025-10-15T17:30",
    ]:
        with pytest.raises(SlotIdError) as caught:
            calendar.find_slot(bad)
        assert caught.value.code == "unknown_slot"


def test_parse_slot_id() -> None:
    assert parse_slot_id("HQ:SB-001:2025-10-15T17:30") == ("HQ", "SB-001", datetime(2025, 10, 15, 17, 30))
    # Whole-string matches: ``$`` alone would let a trailing newline through.
    for bad in ("HQ:SB-001:2025-10-15T17:30\n", "HQ:SB-001:2025-10-15T17:30x", " HQ:SB-001:2025-10-15T17:30"):
        with pytest.raises(SlotIdError):
            parse_slot_id(bad)


def test_staffed_now_and_next_opening(calendar: SiteCalendar) -> None:
    assert calendar.staffed_at(at("2025-10-15 10:00")) == (True, at("2025-10-15 13:00"))
    assert calendar.staffed_at(at("2025-10-15 12:30")) == (False, at("2025-10-15 13:00"))
    assert calendar.staffed_at(at("2025-10-15 20:59")) == (True, at("2025-10-16 09:00"))
    assert calendar.staffed_at(at("2025-10-17 18:00")) == (False, at("2025-10-18 09:00"))
    # The National Day week: closed from 2025-09-30 evening until the adjusted working Saturday.
    assert calendar.staffed_at(at("2025-09-30 17:30")) == (False, at("2025-10-09 09:00"))
    assert calendar.staffed_at(at("2025-10-01 10:00"))[0] is False


def test_walk_in_stops_before_evening_end(calendar: SiteCalendar) -> None:
    assert calendar.walk_in_at(at("2025-10-15 20:29"))[0] is True
    tickets, next_open, session = calendar.walk_in_at(at("2025-10-15 20:30"))
    assert (tickets, next_open, session) == (False, at("2025-10-16 09:00"), None)
    tickets, next_open, session = calendar.walk_in_at(at("2025-10-15 16:59"))
    assert tickets and session is not None and session.kind == "regular"
    assert calendar.walk_in_at(at("2025-10-15 17:00"))[2].kind == "evening"  # type: ignore[union-attr]


def test_naive_times_are_refused(calendar: SiteCalendar) -> None:
    with pytest.raises(ValueError):
        calendar.staffed_at(datetime(2025, 10, 15, 10, 0))


def test_other_time_zone_instants_are_converted(calendar: SiteCalendar) -> None:
    assert calendar.staffed_at(datetime.fromisoformat("2025-10-15T02:00:00+00:00"))[0] is True


def test_working_days_across_the_national_day_week(calendar: SiteCalendar) -> None:
    # 2025-09-28 (Sun) and 2025-10-11 (Sat) are worked; 10-01..10-08 are off.
    assert calendar.add_working_days(date(2025, 9, 29), 1) == date(2025, 9, 30)
    assert calendar.add_working_days(date(2025, 9, 29), 2) == date(2025, 10, 9)
    # 10-09, 10-10, 10-11 (adjusted Saturday), 10-13, 10-14
    assert calendar.add_working_days(date(2025, 9, 30), 5) == date(2025, 10, 14)
    assert calendar.add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)
    assert calendar.add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 1)


def test_site_in_another_time_zone(holidays: HolidayCalendar) -> None:
    site = load_site("HQ")
    from dataclasses import replace

    urumqi = SiteCalendar(replace(site, timezone_name="Asia/Urumqi"), holidays, department_of=lambda _: None)
    assert urumqi.day_plan(date(2025, 10, 15)).sessions[1].start.utcoffset().total_seconds() == 6 * 3600  # type: ignore[union-attr]


def test_a_day_plan_follows_the_holiday_calendar_when_it_changes(calendar: SiteCalendar) -> None:
    # Plans are kept between calls (one is asked for on every ticket); a change of the calendar is seen.
    wednesday = date(2025, 10, 15)
    assert calendar.day_plan(wednesday) is calendar.day_plan(wednesday)
    assert calendar.staffed_at(at("2025-10-15 10:00"))[0] is True
    calendar.holidays.override_day(wednesday, workday=False)
    assert [s.kind for s in calendar.day_plan(wednesday).sessions] == ["self_service"]
    assert calendar.staffed_at(at("2025-10-15 10:00")) == (False, at("2025-10-16 09:00"))
    calendar.holidays.override_day(date(2025, 10, 18), workday=True)  # a Saturday worked as a weekday
    assert [s.kind for s in calendar.day_plan(date(2025, 10, 18)).sessions][:2] == ["self_service", "regular"]
