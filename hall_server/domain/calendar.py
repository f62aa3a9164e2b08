"""A site's calendar: the plan of each day, bookable slots, opening hours and working-day counting.

    cal = SiteCalendar(load_site("HQ"), HolidayCalendar())
    cal.day_plan(date) -> DayPlan            sessions with aware start/end/booking_cutoff, holiday
    cal.days(first, last) -> list[DayPlan]
    cal.slots(service, date, capacity_overrides={slot_id: n}) -> list[Slot]
    cal.find_slot(slot_id, capacity_overrides=None) -> Slot   raises SlotIdError("unknown_slot")
    cal.staffed_at(at) -> (open_now, next_opening)   for video help and "open now"
    cal.walk_in_at(at) -> (tickets_now, next_opening, session)   walk-in tickets
    cal.add_working_days(date, n) -> date
Slot ids are "<site>:<service>:<YYYY-MM-DDTHH:MM local>" (docs/api.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from hall_server.domain.holidays import DayStatus, Holiday, HolidayCalendar
from hall_server.domain.sites import SessionRule, Site

SEARCH_DAYS = 60
# Day plans kept per site calendar (a year and more): a plan is asked for on every ticket and in every
# search for the next opening, and only changes with the holiday calendar.
_PLANS_KEPT = 500
_SLOT_ID = re.compile(r"([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]{1,32}):(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})")


class SlotIdError(ValueError):
    """A slot id that is malformed or names no slot of the site."""

    code = "unknown_slot"


@dataclass(frozen=True)
class PlannedSession:
    """One session on one date, with its instants in the site's time zone."""

    rule: SessionRule
    date: date
    start: datetime
    end: datetime
    booking_cutoff: datetime | None  # of its first slot; None when never bookable
    walk_in_until: datetime

    @property
    def kind(self) -> str:
        return self.rule.kind

    @property
    def staffed(self) -> bool:
        return self.rule.kind != "self_service"

    def slot_times(self) -> list[tuple[datetime, datetime]]:
        """(start, booking cut-off) of each slot, for any service; empty when the session takes none."""
        rule = self.rule
        if not rule.bookable:
            return []
        assert rule.cutoff is not None
        found = []
        for minute in range(rule.start_minute, rule.end_minute, rule.slot_minutes):
            # Wall-clock arithmetic, as the session's own start is midnight plus its minutes.
            start = self.start + timedelta(minutes=minute - rule.start_minute)
            found.append((start, rule.cutoff.deadline(self.date, start)))
        return found


@dataclass(frozen=True)
class DayPlan:
    """Everything the calendar says about one date of a site."""

    date: date
    workday: bool
    adjusted_workday: bool
    holiday: Holiday | None
    calendar_confirmed: bool
    sessions: tuple[PlannedSession, ...]

    @property
    def weekday(self) -> int:
        """1 = Monday … 7 = Sunday."""
        return self.date.isoweekday()

    def holiday_name(self, lang: str = "zh-Hans") -> str | None:
        return self.holiday.name(lang) if self.holiday else None

    @property
    def staffed_sessions(self) -> tuple[PlannedSession, ...]:
        return tuple(s for s in self.sessions if s.staffed)


@dataclass(frozen=True)
class Slot:
    """A bookable time slot of one service in one session."""

    id: str
    site: str
    service: str
    session: PlannedSession
    start: datetime
    end: datetime
    capacity: int
    booking_cutoff: datetime
    calendar_confirmed: bool
    service_bookable: bool = True  # the catalogue's flag: False for services handled without booking


def slot_id(site: str, service: str, start: datetime) -> str:
    return f"{site}:{service}:{start:%Y-%m-%dT%H:%M}"


def parse_slot_id(text: str) -> tuple[str, str, datetime]:
    """(site, service, naive local start) of a well-formed slot id; SlotIdError otherwise."""
    match = _SLOT_ID.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise SlotIdError("unknown_slot: malformed slot id")
    try:
        start = datetime.strptime(match.group(3), "%Y-%m-%dT%H:%M")
    except ValueError as exc:
        raise SlotIdError("unknown_slot: no such time") from exc
    return match.group(1), match.group(2), start


def _default_department_of(service: str) -> str | None:
    from hall_server.domain.catalogue import default_catalogue

    found = default_catalogue().get(service)
    return found.department if found else None


def _default_service_bookable(service: str) -> bool:
    from hall_server.domain.catalogue import default_catalogue

    found = default_catalogue().get(service)
    return found.bookable if found else True


class SiteCalendar:
    """The rules of one site applied to the holiday calendar."""

    def __init__(
        self,
        site: Site,
        holidays: HolidayCalendar | None = None,
        *,
        department_of: Callable[[str], str | None] | None = None,
        service_bookable: Callable[[str], bool] | None = None,
    ) -> None:
        """`department_of` and `service_bookable` look a service code up (default: the packaged catalogue)."""
        self.site = site
        self.holidays = holidays if holidays is not None else HolidayCalendar()
        self._department_of = department_of or _default_department_of
        self._service_bookable = service_bookable or _default_service_bookable
        self.tz: tzinfo = site.tz
        # day -> (the holiday calendar's version it was made from, the plan)
        self._plans: dict[date, tuple[int, DayPlan]] = {}

    def _at(self, day: date, minute: int) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=self.tz) + timedelta(minutes=minute)

    def local(self, at: datetime) -> datetime:
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("times given to the calendar must be timezone-aware")
        return at.astimezone(self.tz)

    @staticmethod
    def _runs_on(rule: SessionRule, status: DayStatus) -> bool:
        if rule.days == "every_day":
            return True
        if status.holiday is not None:
            return False
        if rule.days == "workdays":
            return status.workday
        if status.date.isoweekday() != rule.weekday:
            return False
        return status.workday if rule.on == "workday" else status.rest_day

    def _planned(self, rule: SessionRule, day: date) -> PlannedSession:
        start, end = self._at(day, rule.start_minute), self._at(day, rule.end_minute)
        cutoff = rule.cutoff.deadline(day, start) if rule.cutoff is not None and rule.bookable else None
        walk_in_until = end - timedelta(minutes=rule.walk_in_stop_minutes)
        return PlannedSession(rule, day, start, end, cutoff, walk_in_until)

    def day_plan(self, day: date) -> DayPlan:
        version = self.holidays.version  # read first: a plan made while the calendar changes is not kept
        kept = self._plans.get(day)
        if kept is not None and kept[0] == version:
            return kept[1]
        plan = self._make_plan(day)
        if len(self._plans) >= _PLANS_KEPT:
            self._plans.clear()
        self._plans[day] = (version, plan)
        return plan

    def _make_plan(self, day: date) -> DayPlan:
        status = self.holidays.day(day)
        sessions = sorted(
            (self._planned(rule, day) for rule in self.site.sessions if self._runs_on(rule, status)),
            key=lambda s: (s.start, s.end),
        )
        return DayPlan(
            day, status.workday, status.adjusted_workday, status.holiday, status.confirmed, tuple(sessions)
        )

    def days(self, first: date, last: date) -> list[DayPlan]:
        count = (last - first).days + 1
        return [self.day_plan(first + timedelta(days=i)) for i in range(max(count, 0))]

    def slots(
        self, service: str, day: date, *, capacity_overrides: Mapping[str, int] | None = None
    ) -> list[Slot]:
        """The slots of `service` on `day` (empty when closed or not offered), cut-offs included."""
        plan = self.day_plan(day)
        department = self._department_of(service)
        service_bookable = self._service_bookable(service)
        overrides = capacity_overrides or {}
        found: list[Slot] = []
        for session in plan.sessions:
            rule = session.rule
            if not rule.offers(service, department):
                continue
            for start, cutoff in session.slot_times():
                ident = slot_id(self.site.code, service, start)
                found.append(
                    Slot(
                        id=ident,
                        site=self.site.code,
                        service=service,
                        session=session,
                        start=start,
                        end=start + timedelta(minutes=rule.slot_minutes),
                        capacity=max(0, overrides.get(ident, rule.capacity)),
                        booking_cutoff=cutoff,
                        calendar_confirmed=plan.calendar_confirmed,
                        service_bookable=service_bookable,
                    )
                )
        return found

    def find_slot(self, ident: str, *, capacity_overrides: Mapping[str, int] | None = None) -> Slot:
        """The slot an id names; SlotIdError when malformed, of another site, or not a slot that day."""
        site, service, start = parse_slot_id(ident)
        if site != self.site.code:
            raise SlotIdError("unknown_slot: another site")
        for slot in self.slots(service, start.date(), capacity_overrides=capacity_overrides):
            if slot.id == ident:
                return slot
        raise SlotIdError("unknown_slot: no such slot")

    def _staffed_from(self, at: datetime) -> Iterator[PlannedSession]:
        """Staffed sessions in order of start, from the day before `at` up to SEARCH_DAYS ahead."""
        day = self.local(at).date() - timedelta(days=1)
        for offset in range(SEARCH_DAYS + 2):
            yield from self.day_plan(day + timedelta(days=offset)).staffed_sessions

    def _scan(
        self, at: datetime, until: Callable[[PlannedSession], datetime]
    ) -> tuple[PlannedSession | None, datetime | None]:
        # Sessions never cross midnight, so the first start after `at` ends the search.
        current = None
        for session in self._staffed_from(at):
            if current is None and session.start <= at < until(session):
                current = session
            if session.start > at:
                return current, session.start
        return current, None

    def staffed_at(self, at: datetime) -> tuple[bool, datetime | None]:
        """Whether a staffed session runs at `at`, and the start of the next one after `at`."""
        current, upcoming = self._scan(at, lambda s: s.end)
        return current is not None, upcoming

    def walk_in_at(self, at: datetime) -> tuple[bool, datetime | None, PlannedSession | None]:
        """Whether walk-in tickets are issued at `at` (the session, if so) and when they next start."""
        current, upcoming = self._scan(at, lambda s: s.walk_in_until)
        return current is not None, upcoming, current

    def add_working_days(self, day: date, count: int) -> date:
        """The date `count` working days after `day` (holidays and rest days skipped, 调休 counted)."""
        if count < 0:
            raise ValueError("count must not be negative")
        current = day
        while count:
            current += timedelta(days=1)
            if self.holidays.is_workday(current):
                count -= 1
        return current
