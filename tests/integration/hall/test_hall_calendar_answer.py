"""The calendar answer carries the hall's booking rules (horizon, closed days, cut-offs, session names) so
the kiosk derives none; the slots name their session; check-in decides what a scanned text is."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Hall, local

pytestmark = pytest.mark.db


def days_of(hall: Hall, first: str, last: str, lang: str = "zh-Hans") -> dict[str, dict[str, Any]]:
    reply = hall.kiosk().get("/sites/HQ/calendar", params={"from": first, "to": last, "lang": lang})
    assert reply.status_code == 200, reply.text
    return {day["date"]: day for day in reply.json()["days"]}


def test_the_answer_names_today_and_the_booking_horizon(hall: Hall) -> None:
    body = hall.kiosk().get("/sites/HQ/calendar", params={"from": "2026-12-24", "to": "2026-12-26"}).json()
    assert body["today"] == "2026-11-25"
    assert body["booking_horizon_days"] == 30
    assert body["bookable_until"] == "2026-12-25"
    days = {day["date"]: day for day in body["days"]}
    assert (days["2026-12-25"]["bookable"], days["2026-12-25"]["reason"]) == (True, None)
    # A Saturday with its morning session, one day past the horizon.
    assert (days["2026-12-26"]["bookable"], days["2026-12-26"]["reason"]) == (False, "beyond_horizon")


def test_the_last_horizon_date_goes_back_a_day_when_all_its_slots_are_beyond_it(hall: Hall) -> None:
    hall.clock.set(local(2026, 11, 25, 8, 0))  # 30 days on is 08:00, before the first slot at 09:00
    body = hall.kiosk().get("/sites/HQ/calendar", params={"from": "2026-12-24", "to": "2026-12-25"}).json()
    assert body["bookable_until"] == "2026-12-24"
    assert [(d["bookable"], d["reason"]) for d in body["days"]] == [(True, None), (False, "beyond_horizon")]


def test_past_closed_and_holiday_days(hall: Hall) -> None:
    days = days_of(hall, "2026-11-24", "2026-11-29")
    assert (days["2026-11-24"]["bookable"], days["2026-11-24"]["reason"]) == (False, "past")
    assert (days["2026-11-25"]["bookable"], days["2026-11-25"]["reason"]) == (True, None)
    assert (days["2026-11-29"]["bookable"], days["2026-11-29"]["reason"]) == (False, "closed_day")
    hall.clock.set(local(2026, 9, 28, 10, 0))
    national_day = days_of(hall, "2026-10-01", "2026-10-01")["2026-10-01"]
    assert national_day["holiday"] == "国庆节"
    assert (national_day["bookable"], national_day["reason"]) == (False, "holiday")


def test_an_unpublished_year_is_unconfirmed_where_the_site_does_not_book_it(hall: Hall) -> None:
    hall.clock.set(local(2026, 12, 28, 10, 0))
    days = days_of(hall, "2027-01-03", "2027-01-05")
    assert (days["2027-01-05"]["bookable"], days["2027-01-05"]["reason"]) == (False, "unconfirmed")
    assert days["2027-01-03"]["reason"] == "closed_day"  # a Sunday is closed whatever the calendar says


def test_today_after_the_last_cutoff_is_cutoff_passed(hall: Hall) -> None:
    hall.clock.set(local(2026, 11, 25, 15, 59))
    assert days_of(hall, "2026-11-25", "2026-11-25")["2026-11-25"]["bookable"] is True
    hall.clock.set(local(2026, 11, 25, 16, 1))  # the last regular slot (16:30) closed at 16:00
    today = days_of(hall, "2026-11-25", "2026-11-25")["2026-11-25"]
    assert (today["bookable"], today["reason"]) == (False, "cutoff_passed")


def test_sessions_carry_their_site_name_and_cutoff_rule(hall: Hall) -> None:
    listed = days_of(hall, "2026-11-25", "2026-11-25")["2026-11-25"]["sessions"]
    sessions = {s["kind"]: s for s in reversed(listed)}  # the first session of each kind
    evening = sessions["evening"]
    assert evening["name"] == "周三夜市" and evening["bookable"] is True
    assert evening["booking_cutoff"] == "2026-11-25T12:00:00+08:00" and evening["slot_cutoff_minutes"] is None
    regular = sessions["regular"]
    assert regular["bookable"] is True and regular["slot_cutoff_minutes"] == 30
    # The first slot's cut-off, as before; each later slot closes 30 minutes before it starts.
    assert regular["booking_cutoff"] == "2026-11-25T08:30:00+08:00"
    self_service = sessions["self_service"]
    assert self_service["bookable"] is False
    assert self_service["booking_cutoff"] is None and self_service["slot_cutoff_minutes"] is None
    english = days_of(hall, "2026-11-25", "2026-11-25", lang="en")["2026-11-25"]["sessions"]
    assert "Wednesday Evening Service" in {s["name"] for s in english}


def test_slots_name_their_session(hall: Hall) -> None:
    params = {"service": "SB-001", "date": "2026-11-25"}
    slots = hall.kiosk().get("/sites/HQ/slots", params=params).json()["slots"]
    names = {(s["session"], s["session_name"]) for s in slots}
    assert names == {("regular", "上午"), ("regular", "下午"), ("evening", "周三夜市")}
    english = hall.kiosk().get("/sites/HQ/slots", params={**params, "lang": "en"}).json()["slots"]
    assert english[-1]["session_name"] == "Wednesday Evening Service"


@pytest.mark.parametrize(
    "scanned",
    ["x" * 500, "GOVBK1:" + "b" * 493, "   ", "", "\x00\x1b[2J", "６９０１２３４５", "GOVBK1:b_abc:12345\n"],
)
def test_any_scanned_text_that_is_not_a_booking_qr_is_invalid_qr_payload(hall: Hall, scanned: str) -> None:
    reply = hall.kiosk().post("/bookings/check-in", json={"qr_payload": scanned})
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["code"] == "invalid_qr_payload"
