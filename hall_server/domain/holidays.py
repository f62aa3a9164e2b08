"""Statutory holidays and adjusted working days (调休): the chinesecalendar package plus operator files.

An operator calendar file (`calendar/<year>.toml`, one per year) overrides the package for its year:

    year = 2027

    [[holidays]]
    key = "spring_festival"      # a key of hall_server/data/holiday_names.toml names it in 3 languages
    start = 2027-02-06           # TOML dates, both inclusive
    end = 2027-02-13

    [[holidays]]
    key = "founding_day"         # any other key needs its own names
    name = { zh-Hans = "…", zh-Hant = "…", en = "…" }
    start = 2027-05-20           # `end` may be left out for a one-day holiday

    [[adjusted_workdays]]        # a Saturday or Sunday worked instead (调休上班)
    date = 2027-02-20
    holiday = "spring_festival"  # optional: the holiday it makes up for

`parse_calendar_text(text, source="<text>") -> YearCalendar` and `parse_calendar_bytes(data, source)`
raise `CalendarFileError` (`.code`, `.path` = source, `.line`) and change nothing; `HolidayCalendar.add`
installs a parsed year; `HolidayCalendar.day(d) -> DayStatus` answers for
any date: a year with neither a file nor package data gets weekday rules and `confirmed=False`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from pathlib import PurePath
from types import MappingProxyType
from typing import Any

from chinese_calendar.constants import holidays as package_holidays
from chinese_calendar.constants import workdays as package_workdays

LANGUAGES = ("zh-Hans", "zh-Hant", "en")
CLOSED_DAY_NAMES = MappingProxyType({"zh-Hans": "闭厅", "zh-Hant": "閉廳", "en": "Hall closed"})
_TOP_LEVEL = {"year", "holidays", "adjusted_workdays"}
_HOLIDAY_FIELDS = {"key", "name", "start", "end"}
_ADJUSTED_FIELDS = {"date", "holiday"}
_KEY = re.compile(r"[a-z][a-z0-9_]{0,47}")


class CalendarFileError(ValueError):
    """A calendar file that cannot be used; loading it changed nothing.

    Codes: calendar_not_utf8, calendar_syntax_error, calendar_unknown_field,
    calendar_missing_field, calendar_bad_value, calendar_year_mismatch, calendar_date_outside_year,
    calendar_bad_range, calendar_conflict.
    """

    def __init__(self, code: str, message: str, path: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{code}: {message} ({where})")
        self.code = code
        self.message = message
        self.path = path
        self.line = line


@dataclass(frozen=True)
class Holiday:
    """A statutory holiday with its names in zh-Hans, zh-Hant and en."""

    key: str
    names: Mapping[str, str]

    def name(self, lang: str = "zh-Hans") -> str:
        return self.names.get(lang, self.names["zh-Hans"])


@dataclass(frozen=True)
class DayStatus:
    """What the holiday calendar says about one date."""

    date: date
    workday: bool
    holiday: Holiday | None
    adjusted_workday: bool
    confirmed: bool

    @property
    def rest_day(self) -> bool:
        """An ordinary weekend day: neither worked nor a statutory holiday."""
        return not self.workday and self.holiday is None


@dataclass(frozen=True)
class YearCalendar:
    """One year's holidays and adjusted working days, as an operator file defines them."""

    year: int
    holidays: Mapping[date, Holiday]
    adjusted_workdays: frozenset[date]
    source: str


@cache
def holiday_names() -> Mapping[str, Holiday]:
    """The known holidays by key, from hall_server/data/holiday_names.toml."""
    text = resources.files("hall_server.data").joinpath("holiday_names.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return MappingProxyType(
        {
            key: Holiday(key, MappingProxyType({lang: entry[lang] for lang in LANGUAGES}))
            for key, entry in data.items()
        }
    )


@cache
def _holiday_by_package_name() -> Mapping[str, Holiday]:
    text = resources.files("hall_server.data").joinpath("holiday_names.toml").read_text("utf-8")
    data = tomllib.loads(text)
    names = holiday_names()
    return {entry["package_name"]: names[key] for key, entry in data.items()}


def _line_of(text: str, pattern: str, occurrence: int = 0) -> int | None:
    matches = [m for m in re.finditer(pattern, text, re.MULTILINE)]
    if occurrence < len(matches):
        return text.count("\n", 0, matches[occurrence].start()) + 1
    return None


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source

    def fail(self, code: str, message: str, line: int | None = None) -> CalendarFileError:
        return CalendarFileError(code, message, self.source, line)

    def parse(self) -> YearCalendar:
        try:
            data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            found = re.search(r"line (\d+)", str(exc))
            raise self.fail(
                "calendar_syntax_error", str(exc), int(found.group(1)) if found else None
            ) from exc
        unknown = set(data) - _TOP_LEVEL
        if unknown:
            name = sorted(unknown)[0]
            raise self.fail(
                "calendar_unknown_field",
                f"unknown field {name!r}",
                _line_of(self.text, rf"^\s*\[*\s*{re.escape(name)}\b"),
            )
        year_line = _line_of(self.text, r"^\s*year\s*=")
        if "year" not in data:
            raise self.fail("calendar_missing_field", "missing field 'year'")
        year = data["year"]
        if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2999:
            raise self.fail("calendar_bad_value", "year must be an integer such as 2027", year_line)
        stem = PurePath(self.source).stem
        if stem.isdigit() and int(stem) != year:
            raise self.fail("calendar_year_mismatch", f"file {stem} declares year {year}", year_line)
        holidays = self._holidays(data.get("holidays", []), year)
        adjusted = self._adjusted(data.get("adjusted_workdays", []), year, holidays)
        return YearCalendar(year, MappingProxyType(holidays), frozenset(adjusted), self.source)

    def _entries(self, value: Any, table: str) -> list[tuple[int | None, dict[str, Any]]]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(
                "calendar_bad_value",
                f"{table} must be an array of tables [[{table}]]",
                _line_of(self.text, rf"^\s*{table}\b"),
            )
        return [
            (_line_of(self.text, rf"^\s*\[\[\s*{table}\s*\]\]", i), entry) for i, entry in enumerate(value)
        ]

    def _date(self, entry: Mapping[str, Any], field: str, year: int, line: int | None) -> date:
        value = entry.get(field)
        if value is None:
            raise self.fail("calendar_missing_field", f"missing field {field!r}", line)
        if not isinstance(value, date) or hasattr(value, "hour"):
            raise self.fail("calendar_bad_value", f"{field} must be a TOML date such as 2027-02-06", line)
        if value.year != year:
            raise self.fail("calendar_date_outside_year", f"{field} {value} is not in {year}", line)
        return value

    def _holidays(self, value: Any, year: int) -> dict[date, Holiday]:
        known = holiday_names()
        days: dict[date, Holiday] = {}
        for line, entry in self._entries(value, "holidays"):
            unknown = set(entry) - _HOLIDAY_FIELDS
            if unknown:
                raise self.fail("calendar_unknown_field", f"unknown field {sorted(unknown)[0]!r}", line)
            key = entry.get("key")
            if not isinstance(key, str) or not _KEY.fullmatch(key):
                raise self.fail(
                    "calendar_missing_field" if key is None else "calendar_bad_value",
                    "each holiday needs a key such as 'spring_festival'",
                    line,
                )
            holiday = self._holiday(key, entry.get("name"), known, line)
            start = self._date(entry, "start", year, line)
            end = self._date(entry, "end", year, line) if "end" in entry else start
            if end < start:
                raise self.fail("calendar_bad_range", f"end {end} is before start {start}", line)
            day = start
            while day <= end:
                if day in days:
                    raise self.fail("calendar_conflict", f"{day} is in two holidays", line)
                days[day] = holiday
                day += timedelta(days=1)
        return days

    def _holiday(self, key: str, names: Any, known: Mapping[str, Holiday], line: int | None) -> Holiday:
        if names is None:
            if key not in known:
                raise self.fail(
                    "calendar_missing_field", f"holiday {key!r} needs name.zh-Hans/zh-Hant/en", line
                )
            return known[key]
        if not isinstance(names, dict):
            raise self.fail("calendar_bad_value", "name must be a table of zh-Hans, zh-Hant and en", line)
        missing = [
            lang for lang in LANGUAGES if not isinstance(names.get(lang), str) or not names[lang].strip()
        ]
        if missing:
            raise self.fail("calendar_missing_field", f"holiday {key!r} has no name in {missing[0]}", line)
        if set(names) - set(LANGUAGES):
            raise self.fail(
                "calendar_unknown_field", f"unknown language {sorted(set(names) - set(LANGUAGES))[0]!r}", line
            )
        return Holiday(key, MappingProxyType({lang: names[lang].strip() for lang in LANGUAGES}))

    def _adjusted(self, value: Any, year: int, holidays: Mapping[date, Holiday]) -> set[date]:
        days: set[date] = set()
        for line, entry in self._entries(value, "adjusted_workdays"):
            unknown = set(entry) - _ADJUSTED_FIELDS
            if unknown:
                raise self.fail("calendar_unknown_field", f"unknown field {sorted(unknown)[0]!r}", line)
            day = self._date(entry, "date", year, line)
            if day.weekday() < 5:
                raise self.fail(
                    "calendar_bad_value", f"{day} is a weekday: only a weekend day can be worked", line
                )
            if day in holidays or day in days:
                raise self.fail("calendar_conflict", f"{day} is listed twice", line)
            reference = entry.get("holiday")
            if reference is not None and not isinstance(reference, str):
                raise self.fail("calendar_bad_value", "holiday must be a holiday key", line)
            days.add(day)
        return days


def parse_calendar_text(text: str, source: str = "<text>") -> YearCalendar:
    """Parse and validate one operator calendar file's text; `source` names it in errors."""
    return _Parser(text, source).parse()


def parse_calendar_bytes(data: bytes, source: str = "<bytes>") -> YearCalendar:
    """The same from raw bytes (an upload, a file the caller read): UTF-8 or calendar_not_utf8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CalendarFileError("calendar_not_utf8", "the file is not UTF-8 text", source) from exc
    return parse_calendar_text(text, source)


class HolidayCalendar:
    """Holiday data for every year: operator files first, then the package, then weekday rules."""

    def __init__(self, years: Iterable[YearCalendar] = (), *, use_package: bool = True) -> None:
        self._years: dict[int, YearCalendar] = {}
        self._days: dict[date, DayStatus] = {}
        self._use_package = use_package
        self.version = 0  # grows with each change: what is worked out from the calendar is kept until then
        for year in years:
            self.add(year)

    def add(self, year: YearCalendar) -> None:
        """Install (or replace) one year's operator calendar."""
        self._years = {**self._years, year.year: year}
        self.version += 1

    def override_day(self, day: date, *, workday: bool, names: Mapping[str, str] | None = None) -> None:
        """One day decided by the hall's administration over every year's data: an extra closed day
        (``names`` say why) or a working-day correction (调休) on a day the data has as rest."""
        # A closed day is a holiday of its own, so that no session runs on it, weekend ones included.
        holiday = None if workday else Holiday("closed", MappingProxyType(dict(names or CLOSED_DAY_NAMES)))
        self._days[day] = DayStatus(day, workday, holiday, workday and day.weekday() >= 5, True)
        self.version += 1

    def source(self, year: int) -> str | None:
        """ "operator", "package" or None (no data: weekday rules, unconfirmed)."""
        if year in self._years:
            return "operator"
        if self._use_package and _package_covers(year):
            return "package"
        return None

    def day(self, day: date) -> DayStatus:
        decided = self._days.get(day)
        if decided is not None:
            return decided
        operator = self._years.get(day.year)
        if operator is not None:
            holiday = operator.holidays.get(day)
            adjusted = day in operator.adjusted_workdays
            workday = adjusted or (holiday is None and day.weekday() < 5)
            return DayStatus(day, workday, holiday, adjusted, True)
        if self._use_package and _package_covers(day.year):
            # The package's own is_workday rescans its tables on every call; its dicts answer at once.
            package_holiday = package_holidays.get(day)
            workday = day in package_workdays or (day.weekday() < 5 and package_holiday is None)
            holiday = None
            if not workday and package_holiday is not None:
                name = str(package_holiday)
                holiday = _holiday_by_package_name().get(name) or Holiday(
                    "holiday", MappingProxyType(dict.fromkeys(LANGUAGES, name))
                )
            return DayStatus(day, workday, holiday, workday and day.weekday() >= 5, True)
        return DayStatus(day, day.weekday() < 5, None, False, False)

    def is_workday(self, day: date) -> bool:
        return self.day(day).workday


@cache
def _package_years() -> tuple[int, int]:
    return min(package_holidays).year, max(package_holidays).year


def _package_covers(year: int) -> bool:
    first, last = _package_years()
    return first <= year <= last
