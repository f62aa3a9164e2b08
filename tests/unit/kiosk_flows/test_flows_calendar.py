"""The booking calendar shows what the hall says: which days can be booked and why not, how far
ahead the citizen may page, the sessions by the site's own names and their cut-offs.

The answers are recorded from GET /sites/HQ/calendar (30-day booking horizon, the hall's today
2026-11-25), trimmed to the days each test needs.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hall_contract import Calendar, Slot
from kiosk.flows.booking import slot_groups
from kiosk.flows.calendar_view import MonthView, cell_kind, cell_text, legend, month_view, paged

REGULAR = [
    {"kind": "regular", "name": "上午", "start": "09:00", "end": "12:00", "booking_cutoff": None,
     "bookable": True, "slot_cutoff_minutes": 30},
    {"kind": "regular", "name": "下午", "start": "13:00", "end": "17:00", "booking_cutoff": None,
     "bookable": True, "slot_cutoff_minutes": 30},
]
SELF_SERVICE = {"kind": "self_service", "name": "24小时自助区", "start": "00:00", "end": "24:00",
                "booking_cutoff": None, "bookable": False, "slot_cutoff_minutes": None}
EVENING = {"kind": "evening", "name": "周三夜市", "start": "17:00", "end": "21:00",
           "booking_cutoff": "2026-11-25T12:00:00+08:00", "bookable": True, "slot_cutoff_minutes": None}


def _day(d: str, sessions: list[dict[str, Any]], bookable: bool, reason: str | None,
         **extra: Any) -> dict[str, Any]:
    day = date.fromisoformat(d)
    return {"date": d, "weekday": day.isoweekday(), "workday": bool(sessions), "holiday": None,
            "adjusted_workday": False, "calendar_confirmed": True, "sessions": sessions,
            "bookable": bookable, "reason": reason, **extra}


def _calendar(days: list[dict[str, Any]], today: str = "2026-11-25",
              until: str = "2026-12-25") -> Calendar:
    return Calendar.model_validate({
        "site": "HQ", "timezone": "Asia/Shanghai", "today": today, "booking_horizon_days": 30,
        "bookable_until": until, "days": days,
    })


NOVEMBER = _calendar([
    _day("2026-11-24", [*REGULAR, SELF_SERVICE], False, "past"),
    _day("2026-11-25", [*REGULAR, EVENING, SELF_SERVICE], True, None),
    _day("2026-11-29", [SELF_SERVICE], False, "closed_day"),
])
DECEMBER = _calendar([
    _day("2026-12-25", [*REGULAR, SELF_SERVICE], True, None),
    _day("2026-12-28", [*REGULAR, SELF_SERVICE], False, "beyond_horizon"),
])


def test_days_are_laid_out_from_monday_with_the_halls_bookable_and_reason() -> None:
    view = month_view(2026, 11, NOVEMBER)
    # 1 Nov 2026 is a Sunday: the first week has six blank cells before it.
    assert view.weeks[0][:6] == (None,) * 6
    wednesday, yesterday, sunday = (view.day(date(2026, 11, d)) for d in (25, 24, 29))
    assert wednesday is not None and wednesday.open and cell_kind(wednesday) == "evening"
    # Only sessions that take bookings are kept, named as the site names them.
    assert [s.name for s in wednesday.sessions] == ["上午", "下午", "周三夜市"]
    assert "周三夜市" in cell_text(wednesday, "zh_Hans")
    assert yesterday is not None and not yesterday.open and cell_kind(yesterday) == "past"
    assert sunday is not None and not sunday.open and cell_kind(sunday) == "closed"
    assert cell_text(sunday, "en") == "29\nClosed"


def test_a_day_beyond_the_horizon_says_so_in_every_language() -> None:
    cell = month_view(2026, 12, DECEMBER).day(date(2026, 12, 28))
    assert cell is not None and not cell.open and cell_kind(cell) == "closed"
    assert cell_text(cell, "en") == "28\nNot open yet"
    assert cell_text(cell, "zh_Hans") == "28\n未开放"
    assert cell_text(cell, "zh_Hant") == "28\n未開放"
    last = month_view(2026, 12, DECEMBER).day(date(2026, 12, 25))
    assert last is not None and last.open


def test_paging_stops_at_the_month_of_the_last_bookable_day() -> None:
    november, december = month_view(2026, 11, NOVEMBER), month_view(2026, 12, DECEMBER)
    assert paged(november, 1) == (2026, 12) and november.can_go_on and not november.can_go_back
    # A 30-day horizon from 25 November ends on 25 December: January is never offered.
    assert paged(december, 1) is None and not december.can_go_on
    assert paged(december, -1) == (2026, 11) and december.can_go_back
    assert paged(november, -1) is None


def test_paging_follows_a_longer_horizon() -> None:
    answer = _calendar([], until="2027-02-22")
    view = month_view(2026, 12, answer)
    assert paged(view, 1) == (2027, 1)
    assert paged(month_view(2027, 2, answer), 1) is None


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh_Hans", ["上午 09:00-12:00：每个时段开始前30分钟截止预约",
                     "周三夜市 17:00-21:00：当天12:00前预约"]),
        ("en", ["上午 09:00-12:00: each time closes 30 minutes before it starts",
                "周三夜市 17:00-21:00: Book by 12:00 the same day"]),
    ],
)
def test_legend_takes_names_and_cut_offs_from_the_hall(lang: str, expected: list[str]) -> None:
    lines = legend(month_view(2026, 11, NOVEMBER), lang)
    for line in expected:
        assert line in lines


def test_legend_says_the_minutes_the_hall_sends_and_where_booking_ends() -> None:
    fifteen = [{**s, "slot_cutoff_minutes": 15} for s in REGULAR]
    view: MonthView = month_view(2026, 12, _calendar([
        _day("2026-12-21", fifteen, True, None),
        _day("2026-12-28", fifteen, False, "beyond_horizon"),
    ]))
    lines = legend(view, "en")
    assert "上午 09:00-12:00: each time closes 15 minutes before it starts" in lines
    assert "Days after Fri 25 Dec cannot be booked yet." in lines


def test_an_unconfirmed_day_shows_its_session_and_the_legend_explains() -> None:
    view = month_view(2027, 1, _calendar([
        _day("2027-01-04", REGULAR, False, "unconfirmed", calendar_confirmed=False),
    ], today="2026-12-20", until="2027-01-19"))
    cell = view.day(date(2027, 1, 4))
    assert cell is not None and not cell.open and cell_kind(cell) == "unconfirmed"
    assert cell_text(cell, "zh_Hans") == "4 可约\n待确认"
    assert "待确认：下一年度法定节假日尚未公布，这些日期的安排可能调整。" in legend(view, "zh_Hans")


def test_a_holiday_shows_its_name() -> None:
    view = month_view(2026, 10, _calendar([
        _day("2026-10-01", [SELF_SERVICE], False, "holiday", holiday="国庆节"),
    ], today="2026-09-28", until="2026-10-28"))
    cell = view.day(date(2026, 10, 1))
    assert cell is not None and cell.holiday == "国庆节" and not cell.open
    assert cell_kind(cell) == "holiday" and cell_text(cell) == "1\n国庆节"


def test_slots_are_grouped_under_the_halls_session_names_with_their_cut_offs() -> None:
    day = month_view(2026, 11, NOVEMBER).day(date(2026, 11, 25))
    assert day is not None

    def slot(start: str, kind: str, name: str) -> Slot:
        return Slot.model_validate({
            "id": f"HQ:SB-001:2026-11-25T{start}", "start": f"2026-11-25T{start}:00+08:00",
            "end": f"2026-11-25T{start}:00+08:00", "session": kind, "session_name": name,
            "capacity": 4, "remaining": 4, "bookable": True, "reason": None,
            "booking_cutoff": f"2026-11-25T{start}:00+08:00",
        })

    slots = [slot("09:00", "regular", "上午"), slot("13:00", "regular", "下午"),
             slot("17:00", "evening", "周三夜市")]
    headings = [heading for heading, _slots in slot_groups(slots, day)]
    assert headings[0].startswith("上午 09:00-12:00 · ") and "30" in headings[0]
    assert headings[1].startswith("下午 13:00-17:00")
    assert headings[2].startswith("周三夜市 17:00-21:00 · ")


def test_each_slot_is_under_the_hours_of_its_own_session_even_when_sessions_share_a_name() -> None:
    # A site that names its morning and afternoon alike: each heading still has its session's hours.
    same_name = [{**session, "name": "工作日办理"} for session in REGULAR]
    calendar = _calendar([_day("2026-11-25", [*same_name, EVENING, SELF_SERVICE], True, None)])
    day = month_view(2026, 11, calendar).day(date(2026, 11, 25))
    assert day is not None

    def slot(start: str, kind: str, name: str) -> Slot:
        return Slot.model_validate({
            "id": f"HQ:SB-001:2026-11-25T{start}", "start": f"2026-11-25T{start}:00+08:00",
            "end": f"2026-11-25T{start}:00+08:00", "session": kind, "session_name": name,
            "capacity": 4, "remaining": 4, "bookable": True, "reason": None,
            "booking_cutoff": f"2026-11-25T{start}:00+08:00",
        })

    slots = [slot(t, "regular", "工作日办理") for t in ("09:00", "11:30", "13:00", "16:30")]
    slots.append(slot("17:00", "evening", "周三夜市"))
    groups = [(heading.split(" · ")[0], [f"{s.start:%H:%M}" for s in members])
              for heading, members in slot_groups(slots, day)]
    assert groups == [
        ("工作日办理 09:00-12:00", ["09:00", "11:30"]),
        ("工作日办理 13:00-17:00", ["13:00", "16:30"]),
        ("周三夜市 17:00-21:00", ["17:00"]),
    ]


def test_the_legend_calls_grey_what_cannot_be_booked_not_weekends() -> None:
    saturday = {"kind": "morning", "name": "周六晨办", "start": "09:00", "end": "12:00",
                "booking_cutoff": "2026-11-27T12:00:00+08:00", "bookable": True, "slot_cutoff_minutes": None}
    view = month_view(2026, 11, _calendar([
        _day("2026-11-28", [saturday], True, None),
        _day("2026-11-29", [SELF_SERVICE], False, "closed_day"),
    ]))
    assert not view.day(date(2026, 11, 28)).past and view.day(date(2026, 11, 28)).bookable
    for lang, grey in (("zh_Hans", "灰色日期不可预约"), ("zh_Hant", "灰色日期不可預約"),
                       ("en", "Grey days cannot be booked")):
        lines = legend(view, lang)
        assert any(line.startswith(grey) for line in lines)
        assert not any("周末" in line or "週末" in line or "weekend" in line for line in lines)
