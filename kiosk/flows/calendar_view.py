"""A month of the hall's calendar laid out for the booking screen: weeks from Monday, each day with
the sessions a citizen can book, its holiday name, and whether the year's calendar is confirmed.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from kiosk.hall_models import CalendarDay, SessionTime

BOOKABLE_SESSIONS = ("regular", "evening", "morning")


@dataclass(frozen=True)
class DayView:
    """One calendar cell: what the citizen can see about the day before choosing it."""

    date: date
    past: bool
    holiday: str | None
    confirmed: bool
    adjusted_workday: bool
    sessions: tuple[SessionTime, ...]

    @property
    def open(self) -> bool:
        return bool(self.sessions) and not self.past

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(s.kind for s in self.sessions)

    @property
    def has_evening(self) -> bool:
        return "evening" in self.kinds

    @property
    def has_morning(self) -> bool:
        return "morning" in self.kinds


@dataclass(frozen=True)
class MonthView:
    year: int
    month: int
    # Weeks from Monday; None pads days outside the month.
    weeks: tuple[tuple[DayView | None, ...], ...]

    def day(self, day: date) -> DayView | None:
        for week in self.weeks:
            for cell in week:
                if cell is not None and cell.date == day:
                    return cell
        return None


def month_view(year: int, month: int, days: list[CalendarDay], today: date) -> MonthView:
    """Lay the hall's calendar days out as weeks; only sessions a citizen can book are kept."""
    by_date = {d.date: d for d in days}
    weeks: list[tuple[DayView | None, ...]] = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells: list[DayView | None] = []
        for day in week:
            info = by_date.get(day)
            if day.month != month or info is None:
                cells.append(None)
                continue
            sessions = tuple(s for s in info.sessions if s.kind in BOOKABLE_SESSIONS)
            cells.append(
                DayView(
                    date=day,
                    past=day < today,
                    holiday=info.holiday,
                    confirmed=info.calendar_confirmed,
                    adjusted_workday=info.adjusted_workday,
                    sessions=sessions,
                )
            )
        weeks.append(tuple(cells))
    return MonthView(year, month, tuple(weeks))


def next_month(year: int, month: int, step: int = 1) -> tuple[int, int]:
    index = year * 12 + (month - 1) + step
    return index // 12, index % 12 + 1
