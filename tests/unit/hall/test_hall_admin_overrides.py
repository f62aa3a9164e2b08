"""Laying the administration's edits over the shipped catalogue, a window and the holiday data (pure)."""

from __future__ import annotations

from datetime import date

from hall_server.domain.catalogue import default_catalogue
from hall_server.domain.holidays import HolidayCalendar
from hall_server.domain.overrides import disabled_services, services_with, window_with
from hall_server.usecases.sites import site_profile


def test_an_edit_replaces_only_the_fields_it_names_and_the_search_follows_the_new_name() -> None:
    shipped = default_catalogue()
    edited = services_with(shipped, {"SB-001": {"texts": {
        "zh-Hans": {"name": "养老保险缴费查询", "steps": ["一", "二"]}, "en": {"fee": "None"}}}})
    service = edited.get("SB-001")
    before = shipped.get("SB-001")
    assert service is not None and before is not None
    assert service.name("zh-Hans") == "养老保险缴费查询" and service.guide("zh-Hans").steps == ("一", "二")
    assert service.guide("en").fee == "None" and service.guide("en").where == before.guide("en").where
    assert service.text("zh-Hant") == before.text("zh-Hant")
    assert service.pinyin_initials == "YLBXJFCX"
    assert [s.code for s in edited.search("ylbx")][:1] == ["SB-001"]
    # The shipped catalogue itself is never changed.
    assert shipped.get("SB-001") == before


def test_a_body_from_another_version_is_laid_over_forgivingly() -> None:
    edited = services_with(default_catalogue(), {"SB-001": {"texts": {"en": {"colour": "red", "fee": 3}},
                                                            "future": True}})
    assert edited.get("SB-001") == default_catalogue().get("SB-001")
    assert disabled_services({"SB-001": {"enabled": False}, "SB-002": {"enabled": True}}) == {"SB-001"}


def test_a_window_edit_keeps_what_it_does_not_name() -> None:
    window = site_profile("HQ").window("15")
    assert window is not None
    edited = window_with(window, {"queues": ["A", "B"]})
    assert (edited.queues, edited.names, edited.open) == (("A", "B"), window.names, window.open)
    names = {"zh-Hans": "临时", "zh-Hant": "臨時", "en": "Temp"}
    closed = window_with(window, {"open": False, "names": names})
    assert (closed.queues, closed.open, closed.name("en")) == (window.queues, False, "Temp")


def test_a_day_decided_by_the_administration_wins_over_every_year_data() -> None:
    holidays = HolidayCalendar()
    wednesday, saturday = date(2026, 11, 25), date(2026, 11, 28)
    assert holidays.day(wednesday).workday and not holidays.day(saturday).workday
    holidays.override_day(wednesday, workday=False)
    holidays.override_day(saturday, workday=True)
    closed, worked = holidays.day(wednesday), holidays.day(saturday)
    assert (closed.workday, closed.holiday is not None, closed.rest_day) == (False, True, False)
    assert closed.holiday is not None and closed.holiday.name("en") == "Hall closed"
    assert (worked.workday, worked.adjusted_workday, worked.holiday) == (True, True, None)
