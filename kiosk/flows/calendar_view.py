"""A month of the hall's calendar laid out for the booking screen: weeks from Monday, each day with
its bookable sessions, holiday name and whether (and why not) it can be booked, as the hall says;
and how far the citizen may page.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from hall_contract import Calendar, CalendarDay, SessionTime
from kiosk.flows.words import cutoff_text, day_reason_text, day_text
from kiosk.i18n import _


@dataclass(frozen=True)
class DayView:
    """One calendar cell: what the citizen can see about the day before choosing it."""

    date: date
    bookable: bool
    reason: str | None  # the hall's reason a day cannot be booked (hall_contract.DayReason)
    holiday: str | None
    confirmed: bool
    adjusted_workday: bool
    sessions: tuple[SessionTime, ...]  # the sessions that take bookings, named by the hall

    @property
    def open(self) -> bool:
        return self.bookable

    @property
    def past(self) -> bool:
        return self.reason == "past"

    @property
    def special(self) -> SessionTime | None:
        """The day's first session outside regular hours (an evening or Saturday morning)."""
        return next((s for s in self.sessions if s.kind != "regular"), None)


@dataclass(frozen=True)
class MonthView:
    year: int
    month: int
    # Weeks from Monday; None pads days outside the month.
    weeks: tuple[tuple[DayView | None, ...], ...]
    today: date  # the hall's date
    bookable_until: date  # the last date the hall takes bookings for now

    def day(self, day: date) -> DayView | None:
        for week in self.weeks:
            for cell in week:
                if cell is not None and cell.date == day:
                    return cell
        return None

    @property
    def days(self) -> tuple[DayView, ...]:
        return tuple(cell for week in self.weeks for cell in week if cell is not None)

    @property
    def can_go_back(self) -> bool:
        return (self.year, self.month) > (self.today.year, self.today.month)

    @property
    def can_go_on(self) -> bool:
        return (self.year, self.month) < (self.bookable_until.year, self.bookable_until.month)


def day_view(info: CalendarDay) -> DayView:
    return DayView(
        date=info.date,
        bookable=info.bookable,
        reason=info.reason,
        holiday=info.holiday,
        confirmed=info.calendar_confirmed,
        adjusted_workday=info.adjusted_workday,
        sessions=tuple(s for s in info.sessions if s.bookable),
    )


def month_view(year: int, month: int, answer: Calendar) -> MonthView:
    """Lay the hall's calendar days out as weeks; only sessions that take bookings are kept."""
    by_date = {d.date: d for d in answer.days}
    weeks: list[tuple[DayView | None, ...]] = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells: list[DayView | None] = []
        for day in week:
            info = by_date.get(day)
            cells.append(day_view(info) if day.month == month and info is not None else None)
        weeks.append(tuple(cells))
    return MonthView(year, month, tuple(weeks), today=answer.today, bookable_until=answer.bookable_until)


def month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def next_month(year: int, month: int, step: int = 1) -> tuple[int, int]:
    index = year * 12 + (month - 1) + step
    return index // 12, index % 12 + 1


def paged(view: MonthView, step: int) -> tuple[int, int] | None:
    """The month ``step`` months from ``view``, or None outside today's month … bookable_until's."""
    year, month = next_month(view.year, view.month, step)
    first = (view.today.year, view.today.month)
    last = (view.bookable_until.year, view.bookable_until.month)
    return (year, month) if first <= (year, month) <= last else None


# Day colours of the booking screen (kv): a bookable day takes its special session's colour.
_COLOURED_KINDS = ("evening", "morning")


def cell_kind(cell: DayView) -> str:
    """open | evening | morning | holiday | closed | past | unconfirmed (the cell's colour)."""
    if cell.past:
        return "past"
    if cell.holiday:
        return "holiday"
    if not cell.sessions:
        return "closed"
    if not cell.confirmed:
        return "unconfirmed"
    if not cell.bookable:
        return "closed"
    special = cell.special
    return special.kind if special is not None and special.kind in _COLOURED_KINDS else "open"


def cell_text(cell: DayView, lang: str | None = None) -> str:
    """The day's number, then its holiday, its special session's name, or why it cannot be booked."""
    lines = [str(cell.date.day)]
    if cell.holiday:
        lines.append(cell.holiday)
    elif cell.sessions and (cell.bookable or cell.reason == "unconfirmed"):
        special = cell.special
        mark = special.name if special is not None else _("Open", lang)
        if not cell.confirmed:
            # A third line would be cut off in elderly mode: the session joins the day's number.
            return f"{cell.date.day} {mark}\n{_('Unconfirmed', lang)}"
        lines.append(mark)
    elif word := day_reason_text(cell.reason, lang):
        lines.append(word)
    return "\n".join(lines)


def session_rule(session: SessionTime, day: date, lang: str | None = None) -> str:
    """When booking for the session closes, in words: each slot on its own, or all at one time."""
    if session.slot_cutoff_minutes is not None:
        return _("each time closes {minutes} minutes before it starts", lang).format(
            minutes=session.slot_cutoff_minutes
        )
    if session.booking_cutoff is not None:
        return cutoff_text(day, session.booking_cutoff, lang)
    return ""


def legend(view: MonthView, lang: str | None = None) -> list[str]:
    """The month's sessions with how booking for each closes, and what grey and unconfirmed days mean."""
    seen: dict[str, str] = {}
    unconfirmed = beyond = False
    for cell in view.days:
        unconfirmed = unconfirmed or (not cell.confirmed and bool(cell.sessions))
        beyond = beyond or cell.reason == "beyond_horizon"
        for session in cell.sessions:
            rule = session_rule(session, cell.date, lang)
            if session.name in seen or not rule:
                continue
            seen[session.name] = _("{session} {start}-{end}: {cutoff}", lang).format(
                session=session.name, start=session.start, end=session.end, cutoff=rule
            )
    lines = list(seen.values())
    # Grey is any day the hall does not take bookings for, whatever its reason (a Saturday may be open).
    lines.append(_("Grey days cannot be booked: the hall is closed, a holiday, or booking is over or not "
                   "open yet.", lang))
    if beyond:
        lines.append(_("Days after {day} cannot be booked yet.", lang).format(
            day=day_text(view.bookable_until, lang)))
    if unconfirmed:
        lines.append(
            _("Unconfirmed: next year's public holidays are not announced yet; those days may change.", lang)
        )
    return lines
