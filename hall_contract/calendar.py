"""A site's calendar (``GET /sites/{site}/calendar``) and a day's slots (``GET /sites/{site}/slots``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from hall_contract.base import Answer

# Why a day of the calendar cannot be booked now.
DayReason = Literal["past", "beyond_horizon", "closed_day", "holiday", "unconfirmed", "cutoff_passed"]


class SessionTime(Answer):
    """One opening session of a day, named by the site (``周三夜市``) in the asked language."""

    kind: str
    name: str
    start: str  # "HH:MM"; a session to midnight ends at "24:00"
    end: str
    booking_cutoff: dt.datetime | None = None
    bookable: bool  # the session kind takes bookings
    slot_cutoff_minutes: int | None = None  # each slot closes this long before its start


class CalendarDay(Answer):
    date: dt.date
    weekday: int
    workday: bool
    holiday: str | None = None
    adjusted_workday: bool = False
    calendar_confirmed: bool = True
    bookable: bool
    reason: DayReason | None = None
    sessions: tuple[SessionTime, ...] = ()


class Calendar(Answer):
    site: str
    timezone: str
    today: dt.date  # the hall's date
    booking_horizon_days: int
    bookable_until: dt.date  # the last date bookable now
    days: tuple[CalendarDay, ...] = ()


class Slot(Answer):
    id: str
    start: dt.datetime
    end: dt.datetime
    session: str = "regular"
    session_name: str  # the site's name of the session in the asked language
    capacity: int = 0
    remaining: int = 0
    bookable: bool = False
    reason: str | None = None  # a refusal code (hall_contract.refusals)
    booking_cutoff: dt.datetime | None = None


class SlotList(Answer):
    site: str = ""
    service: str
    date: dt.date
    calendar_confirmed: bool = True
    slots: tuple[Slot, ...] = ()
