"""Site rules files: the demo site HQ as data, calendar invariants over many dates, and bad files."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall_server.domain.calendar import SiteCalendar
from hall_server.domain.sites import (
    Cutoff,
    Site,
    SiteRulesError,
    load_site,
    packaged_site_codes,
    parse_site_text,
)

HQ_TEXT = resources.files("hall_server.data.sites").joinpath("HQ.toml").read_text("utf-8")


def test_hq_rules(hq: Site) -> None:
    assert packaged_site_codes() == ["HQ", "ST01"]
    assert (hq.code, hq.timezone_name, hq.name("zh-Hans")) == ("HQ", "Asia/Shanghai", "示范区政务服务中心")
    rules = {rule.key: rule for rule in hq.sessions}
    assert rules["wednesday_evening"].name("zh-Hans") == "周三夜市"
    assert rules["saturday_morning"].name("zh-Hans") == "周六晨办"
    assert rules["self_service"].kind == "self_service" and not rules["self_service"].bookable
    assert rules["morning_regular"].offers("ANY-001", None)
    assert rules["wednesday_evening"].offers("SB-001", "HRSS")
    assert not rules["wednesday_evening"].offers("BD-002", "REAL")
    assert not rules["self_service"].offers("SB-001", "HRSS")
    assert (
        rules["morning_regular"].counters_for("B") == 4 and rules["saturday_morning"].counters_for("E") == 0
    )
    assert hq.settings.queue_wait_cap_minutes == 30 and not hq.settings.book_unconfirmed_days
    with pytest.raises(KeyError):
        load_site("NOWHERE")


def test_cutoff_rules() -> None:
    start = datetime.fromisoformat("2025-10-18T10:30:00+08:00")
    assert Cutoff(minutes_before=30).deadline(start.date(), start) == start - timedelta(minutes=30)
    friday_noon = Cutoff(days_before=1, at=time(12, 0)).deadline(start.date(), start)
    assert friday_noon == datetime.fromisoformat("2025-10-17T12:00:00+08:00")
    for bad in [
        {},
        {"minutes_before": 30, "days_before": 1, "at": time(12)},
        {"minutes_before": -1},
        {"days_before": 1},
    ]:
        with pytest.raises(ValueError):
            Cutoff(**bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('code = "HQ"', 'code = "H Q"', "code"),
        ('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"', "timezone"),
        ("no_show_limit = 3", "no_show_limit = -3", "no_show_limit"),
        ("no_show_limit = 3", "no_show_limitt = 3", "unknown setting"),
        ('kind = "evening"', 'kind = "night"', "kind"),
        ('days = "workdays"', 'days = "weekdays"', "days"),
        ("weekday = 3", "weekday = 8", "weekday"),
        ('start = "17:00"', 'start = "17h"', "start"),
        ('end = "21:00"', 'end = "16:00"', "end must be after start"),
        ('end = "21:00"', 'end = "24:30"', "end"),
        ('cutoff = { days_before = 0, at = "12:00" }', "cutoff = { days_before = 0 }", "cutoff"),
        ('cutoff = { days_before = 0, at = "12:00" }', "cutoff = { hours_before = 3 }", "cutoff"),
        ("slot_minutes = 30\ncapacity = 4", "slot_minutes = 25\ncapacity = 4", "slot length"),
        ('key = "saturday_morning"', 'key = "wednesday_evening"', "unique"),
        ('departments = ["AMR"', 'departments = [1, "AMR"', "departments"),
        ('zh-Hant = "週三夜市", ', "", "zh-Hant"),
        ("capacity = 6", "capacity = true", "capacity"),
    ],
)
def test_bad_site_files(old: str, new: str, message: str) -> None:
    assert old in HQ_TEXT
    with pytest.raises(SiteRulesError) as caught:
        parse_site_text(HQ_TEXT.replace(old, new, 1), "HQ.toml")
    assert caught.value.code == "site_rules_invalid"
    assert message in caught.value.message
    assert caught.value.path == "HQ.toml"


def test_syntax_error_in_site_file() -> None:
    with pytest.raises(SiteRulesError) as caught:
        parse_site_text("code = [", "x.toml")
    assert caught.value.code == "site_rules_syntax_error"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_site_text_raises_only_site_rules_error(text: str) -> None:
    try:
        parse_site_text(text)
    except SiteRulesError as exc:
        assert exc.code.startswith("site_rules_")


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2030, 12, 31)))
def test_calendar_invariants(day: date) -> None:
    calendar = SiteCalendar(load_site("HQ"), department_of=lambda _: "HRSS")
    plan = calendar.day_plan(day)
    kinds = [s.kind for s in plan.staffed_sessions]
    # The self-service area is open every day, holidays included.
    assert [s.kind for s in plan.sessions].count("self_service") == 1
    if plan.holiday is not None:
        assert kinds == []
    if "evening" in kinds:
        assert day.isoweekday() == 3 and plan.workday
    if "morning" in kinds:
        assert day.isoweekday() == 6 and not plan.workday and plan.holiday is None
        assert kinds == ["morning"]
    if plan.workday:
        assert kinds[:2] == ["regular", "regular"]
    if plan.adjusted_workday:
        assert kinds == ["regular", "regular"]
    assert plan.calendar_confirmed == (day.year <= 2026)
    staffed = plan.staffed_sessions
    for earlier, later in itertools.pairwise(staffed):
        assert earlier.end <= later.start
    for slot in calendar.slots("SB-001", day):
        assert slot.booking_cutoff <= slot.start < slot.end <= slot.session.end
        assert slot.session.start <= slot.start


def test_site_rules_agree_with_the_catalogue(hq: Site) -> None:
    from hall_server.domain.catalogue import default_catalogue

    catalogue = default_catalogue()
    queues = {service.queue for service in catalogue.services}
    for rule in hq.sessions:
        assert rule.departments <= set(catalogue.departments), rule.key
        assert set(rule.counters) <= queues, rule.key
        if rule.services is not None:
            assert all(catalogue.get(code) for code in rule.services), rule.key
        # Every queue a session serves has at least one counter open in it.
        served = {s.queue for s in catalogue.services if rule.offers(s.code, s.department)}
        assert all(rule.counters_for(queue) > 0 for queue in served), (rule.key, served)
