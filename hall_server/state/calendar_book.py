"""Each site's calendar (domain rules) over the holiday years loaded into the database.

Operator files loaded by any process are picked up within a few seconds; a load through this process's
API is seen at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import datetime

from hall_server.domain.calendar import PlannedSession, SiteCalendar
from hall_server.domain.holidays import CalendarFileError, HolidayCalendar, parse_calendar_text
from hall_server.state.override_book import OverrideBook
from hall_server.store import calendars
from hall_server.store.database import Database
from hall_server.usecases.sites import known_site

_RECHECK_S = 5.0
WalkIn = tuple[bool, datetime | None, PlannedSession | None]


class CalendarBook:
    """The SiteCalendar of each site over the holiday years loaded; ``site`` refuses ``unknown_site``."""

    def __init__(self, db: Database, overrides: OverrideBook | None = None) -> None:
        self._db = db
        self._overrides = overrides
        self._days_mark: int | None = None
        self._lock = threading.Lock()
        self._holidays: HolidayCalendar | None = None
        self._loaded_mark: datetime | None = None
        self._checked = 0.0
        self._refreshing = False
        self._sites: dict[str, SiteCalendar] = {}
        # Session boundaries fall on whole minutes, so a walk-in answer holds for the whole minute.
        self._walk_in: OrderedDict[tuple[str, datetime], WalkIn] = OrderedDict()

    def invalidate(self) -> None:
        with self._lock:
            self._holidays = None
            self._sites.clear()
            self._walk_in.clear()

    def _holiday_calendar(self) -> HolidayCalendar:
        now = time.monotonic()
        view = self._overrides.view() if self._overrides is not None else None
        with self._lock:
            fresh = self._holidays is not None and now - self._checked < _RECHECK_S
            fresh = fresh and (view is None or view.mark == self._days_mark)
            if fresh or (self._holidays is not None and self._refreshing):
                # Fresh, or another thread is checking: one check at a time, not one per request.
                assert self._holidays is not None
                return self._holidays
            self._refreshing = True
        try:
            with self._db.read() as conn:
                mark = calendars.latest_load(conn)
                rebuild = (self._holidays is None or mark != self._loaded_mark
                           or (view is not None and view.mark != self._days_mark))
                years = calendars.stored_years(conn) if rebuild else []
        finally:
            with self._lock:
                self._refreshing = False
        with self._lock:
            if rebuild:
                holidays = HolidayCalendar()
                for stored in years:
                    try:
                        source = f"calendar/{stored.year}.toml"
                        holidays.add(parse_calendar_text(stored.source, source=source))
                    except CalendarFileError:
                        # A file stored by an older version that no longer parses; the rest still apply.
                        continue
                for day, body in (view.days.items() if view is not None else ()):
                    holidays.override_day(day, workday=body.get("kind") == "workday", names=body.get("names"))
                self._holidays = holidays
                self._days_mark = view.mark if view is not None else None
                self._loaded_mark = mark
                self._sites.clear()
                self._walk_in.clear()
            self._checked = now
            assert self._holidays is not None
            return self._holidays

    def site(self, code: str) -> SiteCalendar:
        holidays = self._holiday_calendar()
        with self._lock:
            found = self._sites.get(code)
            if found is None or found.holidays is not holidays:
                found = SiteCalendar(known_site(code), holidays)
                self._sites[code] = found
            return found

    def walk_in_at(self, code: str, at: datetime) -> WalkIn:
        cal = self.site(code)
        key = (code, at.replace(second=0, microsecond=0))
        with self._lock:
            hit = self._walk_in.get(key)
        if hit is not None:
            return hit
        answer = cal.walk_in_at(at)
        with self._lock:
            self._walk_in[key] = answer
            while len(self._walk_in) > 256:
                self._walk_in.popitem(last=False)
        return answer

