"""Holiday data: the package's years, operator calendar files, and malformed files."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall_server.domain.calendar import SiteCalendar
from hall_server.domain.holidays import (
    CalendarFileError,
    HolidayCalendar,
    YearCalendar,
    parse_calendar_bytes,
    parse_calendar_text,
)
from hall_server.domain.sites import Site

FILES = Path(__file__).parent / "calendar_files"


def load_file(holidays: HolidayCalendar, path: Path) -> YearCalendar:
    """What `hall-server calendar load FILE` does: read, parse (raising on a bad file), install."""
    year = parse_calendar_bytes(path.read_bytes(), str(path))
    holidays.add(year)
    return year


def test_package_year_is_confirmed_with_names(holidays: HolidayCalendar) -> None:
    day = holidays.day(date(2025, 1, 29))
    assert day.confirmed and not day.workday and day.holiday is not None
    assert (day.holiday.name("zh-Hans"), day.holiday.name("zh-Hant"), day.holiday.name("en")) == (
        "春节",
        "春節",
        "Spring Festival",
    )
    assert holidays.source(2025) == "package"
    assert holidays.day(date(2025, 4, 4)).holiday.name("zh-Hans") == "清明节"  # type: ignore[union-attr]
    assert holidays.day(date(2025, 5, 1)).holiday.name("zh-Hans") == "劳动节"  # type: ignore[union-attr]
    assert holidays.day(date(2025, 5, 31)).holiday.name("zh-Hans") == "端午节"  # type: ignore[union-attr]
    assert holidays.day(date(2025, 1, 1)).holiday.name("zh-Hans") == "元旦"  # type: ignore[union-attr]


def test_2027_before_and_after_loading_its_file(hq: Site) -> None:
    holidays = HolidayCalendar()
    calendar = SiteCalendar(hq, holidays, department_of=lambda _: "HRSS")
    before = calendar.day_plan(date(2027, 10, 6))  # a Wednesday
    assert not before.calendar_confirmed and before.workday
    assert [s.kind for s in before.staffed_sessions] == ["regular", "regular", "evening"]
    assert holidays.source(2027) is None

    loaded = load_file(holidays, FILES / "2027.toml")
    assert loaded.year == 2027 and holidays.source(2027) == "operator"
    after = calendar.day_plan(date(2027, 10, 6))
    assert after.calendar_confirmed and not after.workday
    assert after.holiday_name("zh-Hant") == "國慶節"
    assert after.staffed_sessions == ()
    worked_saturday = calendar.day_plan(date(2027, 10, 9))
    assert worked_saturday.adjusted_workday
    assert [s.kind for s in worked_saturday.staffed_sessions] == ["regular", "regular"]
    city_day = calendar.day_plan(date(2027, 6, 16))
    assert city_day.holiday_name("en") == "City Day" and city_day.staffed_sessions == ()
    assert calendar.day_plan(date(2027, 6, 17)).calendar_confirmed


def test_operator_file_overrides_the_package() -> None:
    holidays = HolidayCalendar()
    holidays.add(parse_calendar_text('year = 2025\n[[holidays]]\nkey = "national_day"\nstart = 2025-10-01\n'))
    assert holidays.is_workday(date(2025, 10, 2))
    assert not holidays.is_workday(date(2025, 10, 1))
    assert not holidays.is_workday(date(2025, 10, 11))  # no longer an adjusted working day


GOOD = 'year = 2027\n[[holidays]]\nkey = "national_day"\nstart = 2027-10-01\nend = 2027-10-07\n'


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("year = 2027\n[[holidays]\n", "calendar_syntax_error", 2),
        ("year = 2027\nyaer = 2027\n", "calendar_unknown_field", 2),
        ('[[holidays]]\nkey = "national_day"\nstart = 2027-10-01\n', "calendar_missing_field", None),
        ('year = "2027"\n', "calendar_bad_value", 1),
        ("year = 2026\n", "calendar_year_mismatch", 1),
        (GOOD.replace("start = 2027-10-01", "start = 2028-10-01"), "calendar_date_outside_year", 2),
        (GOOD.replace("start = 2027-10-01", 'start = "2027-10-01"'), "calendar_bad_value", 2),
        (GOOD.replace("start = 2027-10-01", "start = 2027-10-01T00:00:00"), "calendar_bad_value", 2),
        (GOOD.replace("end = 2027-10-07", "end = 2027-09-07"), "calendar_bad_range", 2),
        (GOOD.replace("national_day", "harvest_day"), "calendar_missing_field", 2),
        (
            GOOD.replace('key = "national_day"', 'key = "x"\nname = { zh-Hans = "某节", en = "X" }'),
            "calendar_missing_field",
            2,
        ),
        (GOOD + 'colour = "red"\n', "calendar_unknown_field", 2),
        (GOOD + '[[holidays]]\nkey = "labour_day"\nstart = 2027-10-05\n', "calendar_conflict", 6),
        (GOOD + "[[adjusted_workdays]]\ndate = 2027-10-02\n", "calendar_conflict", 6),
        (GOOD + "[[adjusted_workdays]]\ndate = 2027-10-13\n", "calendar_bad_value", 6),
        ("year = 2027\nholidays = 3\n", "calendar_bad_value", 2),
    ],
)
def test_malformed_files_are_refused_with_code_and_line(
    tmp_path: Path, text: str, code: str, line: int | None
) -> None:
    holidays = HolidayCalendar()
    path = tmp_path / "2027.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(CalendarFileError) as caught:
        load_file(holidays, path)
    assert caught.value.code == code
    assert caught.value.path == str(path)
    assert caught.value.line == line
    assert holidays.source(2027) is None  # nothing changed


def test_refused_file_keeps_the_previous_calendar_of_its_year(tmp_path: Path) -> None:
    holidays = HolidayCalendar()
    load_file(holidays, FILES / "2027.toml")
    path = tmp_path / "2027.toml"
    path.write_text(GOOD + "[[adjusted_workdays]]\ndate = 2027-10-13\n", "utf-8")
    with pytest.raises(CalendarFileError):
        load_file(holidays, path)
    assert holidays.day(date(2027, 2, 8)).holiday is not None


def test_file_that_is_not_utf8() -> None:
    with pytest.raises(CalendarFileError) as caught:
        parse_calendar_bytes(b"year = 2027\n\xff\xfe", "2027.toml")
    assert (caught.value.code, caught.value.path) == ("calendar_not_utf8", "2027.toml")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_raises_only_calendar_file_error(text: str) -> None:
    try:
        parse_calendar_text(text, "fuzz.toml")
    except CalendarFileError as exc:
        assert exc.code.startswith("calendar_")


def test_package_years_agree_with_chinesecalendar(holidays: HolidayCalendar) -> None:
    import chinese_calendar

    day, last = date(2004, 1, 1), date(2026, 12, 31)
    while day <= last:
        status = holidays.day(day)
        assert status.workday == chinese_calendar.is_workday(day), day
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        assert (status.holiday is not None) == (on_holiday and name is not None), day
        if status.holiday is not None:
            assert status.holiday.key != "holiday" and status.holiday.name("zh-Hant"), day
        day += timedelta(days=1)


holiday_entries = st.lists(
    st.tuples(
        st.sampled_from(["national_day", "spring_festival", "city_day", "Bad Key", ""]),
        st.dates(min_value=date(2026, 12, 1), max_value=date(2028, 1, 31)),
        st.integers(-3, 10),
        st.booleans(),
    ),
    max_size=4,
)
adjusted_entries = st.lists(st.dates(min_value=date(2026, 12, 20), max_value=date(2028, 1, 10)), max_size=4)


@settings(max_examples=300, deadline=None)
@given(holiday_entries, adjusted_entries)
def test_structured_fuzz_of_calendar_files(
    entries: list[tuple[str, date, int, bool]], adjusted: list[date]
) -> None:
    text = "year = 2027\n"
    for key, start, length, named in entries:
        text += f'[[holidays]]\nkey = "{key}"\nstart = {start}\nend = {start + timedelta(days=length)}\n'
        if named:
            text += 'name = { zh-Hans = "节", zh-Hant = "節", en = "Day" }\n'
    for day in adjusted:
        text += f"[[adjusted_workdays]]\ndate = {day}\n"
    holidays = HolidayCalendar()
    try:
        year = parse_calendar_text(text, "2027.toml")
    except CalendarFileError as exc:
        assert exc.code.startswith("calendar_") and exc.line is not None
        return
    holidays.add(year)
    assert all(d.year == 2027 for d in [*year.holidays, *year.adjusted_workdays])
    assert not set(year.holidays) & year.adjusted_workdays
    for day in year.adjusted_workdays:
        assert day.weekday() >= 5 and holidays.day(day).workday
    for day in year.holidays:
        assert not holidays.day(day).workday and holidays.day(day).holiday is not None
