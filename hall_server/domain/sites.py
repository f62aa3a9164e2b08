"""Sites and their session rules, read from TOML (hall_server/data/sites/<CODE>.toml documents the format).

`load_site(code) -> Site` reads a packaged site; `parse_site_text(text, source) -> Site` any other;
both raise `SiteRulesError` (`.code`: site_rules_syntax_error, site_rules_invalid; `.path`).
`Cutoff.deadline(session_date, slot_start) -> datetime` is the booking cut-off rule.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal, cast, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hall_server.domain.windows import Floor, Window, parse_floor, parse_windows

SiteKind = Literal["hall", "station"]
SessionKind = Literal["regular", "evening", "morning", "self_service"]
DayRule = Literal["workdays", "every_day", "weekday"]
WeekdayOn = Literal["workday", "rest_day"]
LANGUAGES = ("zh-Hans", "zh-Hant", "en")
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_SITE_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class SiteRulesError(ValueError):
    """A site rules file that cannot be used."""

    def __init__(self, code: str, message: str, path: str) -> None:
        super().__init__(f"{code}: {message} ({path})")
        self.code = code
        self.message = message
        self.path = path


@dataclass(frozen=True)
class Cutoff:
    """When booking closes: `minutes_before` each slot, or `days_before` the session day `at` a time."""

    minutes_before: int | None = None
    days_before: int | None = None
    at: time | None = None

    def __post_init__(self) -> None:
        relative = self.minutes_before is not None
        fixed = self.days_before is not None and self.at is not None
        if relative == fixed or min(self.minutes_before or 0, self.days_before or 0) < 0:
            raise ValueError("a cutoff is either {minutes_before} or {days_before, at}, not negative")

    def deadline(self, session_date: date, slot_start: datetime) -> datetime:
        """The last instant a slot starting at `slot_start` on `session_date` can be booked."""
        if self.minutes_before is not None:
            return slot_start - timedelta(minutes=self.minutes_before)
        assert self.days_before is not None and self.at is not None
        day = session_date - timedelta(days=self.days_before)
        return datetime.combine(day, self.at, tzinfo=slot_start.tzinfo)


@dataclass(frozen=True)
class SessionRule:
    """One kind of session a site runs, on which days, and what it offers."""

    key: str
    kind: SessionKind
    names: Mapping[str, str]
    days: DayRule
    start_minute: int
    end_minute: int
    slot_minutes: int
    capacity: int
    cutoff: Cutoff | None
    services: frozenset[str] | None  # None: every service
    departments: frozenset[str]
    walk_in_stop_minutes: int
    counters: Mapping[str, int]
    weekday: int | None = None  # 1 = Monday … 7 = Sunday, with days == "weekday"
    on: WeekdayOn | None = None

    @property
    def bookable(self) -> bool:
        return self.kind != "self_service" and self.cutoff is not None and self.capacity > 0

    def name(self, lang: str = "zh-Hans") -> str:
        return self.names.get(lang, self.names["zh-Hans"])

    def offers(self, service: str, department: str | None) -> bool:
        """Whether a service (of `department`) is handled in this session."""
        if self.kind == "self_service":
            return False
        if self.services is None or service in self.services:
            return True
        return department is not None and department in self.departments

    def counters_for(self, queue: str) -> int:
        return self.counters.get(queue, 0)


@dataclass(frozen=True)
class SiteSettings:
    """A site's rule parameters (TheQ-style office settings: rules are data)."""

    book_unconfirmed_days: bool = False
    booking_horizon_days: int = 30
    no_show_limit: int = 3
    no_show_window_days: int = 30
    no_show_suspension_days: int = 30
    check_in_early_minutes: int = 30
    check_in_late_minutes: int = 15
    queue_wait_cap_minutes: int = 30
    default_service_seconds: int = 300
    follow_up_working_days: int = 5
    wait_target_minutes: int = 20  # a wait this long or shorter is within target (docs/statistics.md)
    assist_wait_limit_seconds: int = 300  # a video-help caller waiting longer is offered a booking
    identities_per_kiosk_hour: int = 30  # distinct ID numbers one kiosk may ask about per clock hour
    booking_personal_data_days: int = 30  # then a booking's ID number, name and phone are erased
    notice_people_ahead: int = 3  # a ticket with this many ahead gets its turn notice (if a phone is on file)

    def __post_init__(self) -> None:
        for name, value in self.__dict__.items():
            if name != "book_unconfirmed_days" and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0
            ):
                raise ValueError(f"setting {name} must be a non-negative integer")
        if not isinstance(self.book_unconfirmed_days, bool):
            raise ValueError("setting book_unconfirmed_days must be true or false")


@dataclass(frozen=True)
class Site:
    """A hall, branch hall or smart station with its time zone and session rules."""

    code: str
    timezone_name: str
    names: Mapping[str, str]
    sessions: tuple[SessionRule, ...]
    settings: SiteSettings = field(default_factory=SiteSettings)
    addresses: Mapping[str, str] = field(default_factory=dict)
    kind: SiteKind = "hall"
    windows: tuple[Window, ...] = ()
    floor: Floor = field(default_factory=Floor)

    @property
    def tz(self) -> tzinfo:
        return ZoneInfo(self.timezone_name)

    def window(self, number: str) -> Window | None:
        return next((w for w in self.windows if w.number == number), None)

    def name(self, lang: str = "zh-Hans") -> str:
        return self.names.get(lang, self.names["zh-Hans"])


def _hhmm(value: Any, what: str) -> int:
    if not isinstance(value, str) or not _HHMM.fullmatch(value):
        raise ValueError(f'{what} must be a time such as "09:00"')
    hours, minutes = int(value[:2]), int(value[3:])
    if hours == 24 and minutes:
        raise ValueError(f"{what} is past 24:00")
    return hours * 60 + minutes


def _names(value: Any, what: str) -> Mapping[str, str]:
    if not isinstance(value, dict) or any(not isinstance(value.get(lang), str) for lang in LANGUAGES):
        raise ValueError(f"{what} needs zh-Hans, zh-Hant and en")
    return MappingProxyType({lang: value[lang] for lang in LANGUAGES})


def _int(entry: Mapping[str, Any], key: str, default: int | None = None) -> int:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{key} must be a non-negative integer")
    return value


def _cutoff(value: Any) -> Cutoff | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"minutes_before", "days_before", "at"}:
        raise ValueError('cutoff must be {minutes_before = N} or {days_before = D, at = "HH:MM"}')
    if "minutes_before" in value:
        return Cutoff(minutes_before=_int(value, "minutes_before"))
    minute = _hhmm(value.get("at"), "cutoff.at")
    return Cutoff(days_before=_int(value, "days_before"), at=time(minute // 60, minute % 60))


def _session(entry: Any) -> SessionRule:
    if not isinstance(entry, dict):
        raise ValueError("each [[sessions]] must be a table")
    key = entry.get("key")
    if not isinstance(key, str) or not key:
        raise ValueError("each session needs a key")
    if entry.get("kind") not in get_args(SessionKind):
        raise ValueError(f"session {key}: kind must be one of {get_args(SessionKind)}")
    if entry.get("days") not in get_args(DayRule):
        raise ValueError(f"session {key}: days must be one of {get_args(DayRule)}")
    kind = cast(SessionKind, entry["kind"])
    days = cast(DayRule, entry["days"])
    weekday = on = None
    if days == "weekday":
        weekday = _int(entry, "weekday")
        on = entry.get("on")
        if not 1 <= weekday <= 7 or on not in get_args(WeekdayOn):
            raise ValueError(f"session {key}: weekday 1..7 and on = workday|rest_day")
    start, end = _hhmm(entry.get("start"), "start"), _hhmm(entry.get("end"), "end")
    if end <= start:
        raise ValueError(f"session {key}: end must be after start")
    slot = _int(entry, "slot_minutes", 0)
    cutoff = _cutoff(entry.get("cutoff"))
    if kind != "self_service" and (cutoff is None or slot <= 0 or (end - start) % slot):
        raise ValueError(f"session {key}: needs a cutoff and a slot length dividing the session")
    services_value = entry.get("services", [])
    if services_value == "all":
        services = None
    elif isinstance(services_value, list) and all(isinstance(s, str) for s in services_value):
        services = frozenset(services_value)
    else:
        raise ValueError(f'session {key}: services must be "all" or a list of codes')
    departments = entry.get("departments", [])
    if not isinstance(departments, list) or not all(isinstance(d, str) for d in departments):
        raise ValueError(f"session {key}: departments must be a list of codes")
    counters = entry.get("counters", {})
    if not isinstance(counters, dict):
        raise ValueError(f"session {key}: counters must be a table of queue = count")
    return SessionRule(
        key=key,
        kind=kind,
        names=_names(entry.get("name"), f"session {key} name"),
        days=days,
        start_minute=start,
        end_minute=end,
        slot_minutes=slot,
        capacity=_int(entry, "capacity", 0),
        cutoff=cutoff if kind != "self_service" else None,
        services=services,
        departments=frozenset(departments),
        walk_in_stop_minutes=_int(entry, "walk_in_stop_minutes", 0),
        counters=MappingProxyType({queue: _int(counters, queue) for queue in counters}),
        weekday=weekday,
        on=on,
    )


def parse_site_text(text: str, source: str = "<text>") -> Site:
    """Parse and validate one site rules file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SiteRulesError("site_rules_syntax_error", str(exc), source) from exc
    try:
        code = data.get("code")
        if not isinstance(code, str) or not _SITE_CODE.fullmatch(code):
            raise ValueError('code must be a short site code such as "HQ"')
        timezone_name = data.get("timezone", "Asia/Shanghai")
        try:
            ZoneInfo(timezone_name)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"unknown timezone {timezone_name!r}") from exc
        settings_table = data.get("settings", {})
        if not isinstance(settings_table, dict):
            raise ValueError("[settings] must be a table")
        try:
            settings = SiteSettings(**settings_table)
        except TypeError as exc:
            raise ValueError(f"unknown setting in {sorted(settings_table)}") from exc
        sessions = data.get("sessions")
        if not isinstance(sessions, list) or not sessions:
            raise ValueError("a site needs at least one [[sessions]]")
        rules = tuple(_session(entry) for entry in sessions)
        if len({rule.key for rule in rules}) != len(rules):
            raise ValueError("session keys must be unique")
        addresses = _names(data["address"], "address") if "address" in data else MappingProxyType({})
        kind = data.get("kind", "hall")
        if kind not in get_args(SiteKind):
            raise ValueError(f"kind must be one of {get_args(SiteKind)}")
        staffed = {queue for rule in rules for queue in rule.counters}
        return Site(code, timezone_name, _names(data.get("name"), "name"), rules, settings, addresses,
                    cast(SiteKind, kind), parse_windows(data.get("windows"), staffed),
                    parse_floor(data.get("floor")))
    except ValueError as exc:
        raise SiteRulesError("site_rules_invalid", str(exc), source) from exc


def packaged_site_codes() -> list[str]:
    folder = resources.files("hall_server.data.sites")
    return sorted(item.name[:-5] for item in folder.iterdir() if item.name.endswith(".toml"))


def load_site(code: str) -> Site:
    """A packaged site (hall_server/data/sites/<code>.toml); KeyError when there is none."""
    if code not in packaged_site_codes():
        raise KeyError(code)
    resource = resources.files("hall_server.data.sites").joinpath(f"{code}.toml")
    return parse_site_text(resource.read_text("utf-8"), f"hall_server/data/sites/{code}.toml")
