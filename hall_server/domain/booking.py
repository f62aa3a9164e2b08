"""Booking rules: whether a slot can be booked, duplicates, no-show suspension, check-in, QR payloads.

booking_refusal(slot, now, settings, booked=n, offered=True, suspended_until=None) -> reason | None
day_refusal(plan, today, now, settings) -> reason | None;  bookable_until(cal, now, settings) -> date
find_duplicate(existing, id_number, service, day) -> ActiveBooking | None
suspended_until(no_show_times, now, settings) -> datetime | None
check_in_window(slot_start, settings) -> (opens, closes);  check_in_refusal(now, slot_start, settings)
new_check_in_code(rng, taken=()) -> "042917";  qr_payload(id, code);  parse_qr_payload(text)
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, Protocol

from hall_server.domain.calendar import DayPlan, SiteCalendar, Slot
from hall_server.domain.sites import SiteSettings

BookingRefusal = Literal[
    "cutoff_passed",
    "slot_full",
    "closed_day",
    "calendar_unconfirmed",
    "service_not_offered",
    "booking_suspended",
    "beyond_horizon",
]
TimingRefusal = Literal["calendar_unconfirmed", "cutoff_passed", "beyond_horizon"]
DayRefusal = Literal["past", "beyond_horizon", "closed_day", "holiday", "unconfirmed", "cutoff_passed"]
CheckInRefusal = Literal["too_early", "too_late"]
QR_PREFIX = "GOVBK1"
_BOOKING_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CHECK_IN_CODE = re.compile(r"[0-9]{6}")


class RandomSource(Protocol):
    """Where check-in codes come from: random.SystemRandom() in the server, a seeded Random in tests."""

    def randrange(self, start: int, /) -> int: ...


class QrPayloadError(ValueError):
    """A scanned booking QR payload that is not `GOVBK1:<booking_id>:<6 digits>`."""

    code = "invalid_qr_payload"

    def __init__(self, detail: str) -> None:
        super().__init__(f"invalid_qr_payload: {detail}")
        self.detail = detail


@dataclass(frozen=True)
class ActiveBooking:
    """What the duplicate rule needs of a booking that is neither cancelled nor finished."""

    id: str
    id_number: str
    service: str
    day: date


def booking_refusal(
    slot: Slot | None,
    now: datetime,
    settings: SiteSettings,
    *,
    booked: int = 0,
    offered: bool = True,
    suspended_until: datetime | None = None,
) -> BookingRefusal | None:
    """Why `slot` cannot be booked at `now`, or None when it can.

    `slot` None means the day has no session for the service (`offered` False: the service is not
    handled on that day at all although the site is open). Checked in this order, so the answer is
    the most fundamental reason: closed_day, service_not_offered (also for a service the catalogue
    marks not bookable), booking_suspended,
    calendar_unconfirmed, cutoff_passed (also once the slot has started), beyond_horizon, slot_full.
    """
    if slot is None:
        return "service_not_offered" if not offered else "closed_day"
    if not slot.service_bookable:
        return "service_not_offered"
    if suspended_until is not None and now < suspended_until:
        return "booking_suspended"
    timing = timing_refusal(slot.start, slot.booking_cutoff, slot.calendar_confirmed, now, settings)
    if timing is not None:
        return timing
    if booked >= slot.capacity:
        return "slot_full"
    return None


def timing_refusal(
    start: datetime, cutoff: datetime, calendar_confirmed: bool, now: datetime, settings: SiteSettings
) -> TimingRefusal | None:
    """The part of booking_refusal that depends on when a slot is, not on who books or how full it is."""
    if not calendar_confirmed and not settings.book_unconfirmed_days:
        return "calendar_unconfirmed"
    if now > cutoff or now >= start:
        return "cutoff_passed"
    if start - now > timedelta(days=settings.booking_horizon_days):
        return "beyond_horizon"
    return None


def day_refusal(plan: DayPlan, today: date, now: datetime, settings: SiteSettings) -> DayRefusal | None:
    """Why no slot of any service can be booked on `plan`'s day at `now`, or None when one still can.

    `today` is the site-local date of `now`. A day before it is "past"; a day without a session taking
    bookings is "holiday" (a statutory one) or "closed_day"; otherwise the slots' timing_refusal decides:
    "unconfirmed" (calendar_unconfirmed), "beyond_horizon" when any slot is beyond it, else
    "cutoff_passed".
    """
    if plan.date < today:
        return "past"
    times = [t for session in plan.sessions for t in session.slot_times()]
    if not times:
        return "holiday" if plan.holiday is not None else "closed_day"
    confirmed = plan.calendar_confirmed
    reasons = {timing_refusal(start, cutoff, confirmed, now, settings) for start, cutoff in times}
    if None in reasons:
        return None
    if "calendar_unconfirmed" in reasons:
        return "unconfirmed"
    return "beyond_horizon" if "beyond_horizon" in reasons else "cutoff_passed"


def bookable_until(cal: SiteCalendar, now: datetime, settings: SiteSettings) -> date:
    """The last date the booking horizon reaches at `now`: every later day is "beyond_horizon".

    The horizon counts from `now` to a slot's start, so its last date may hold slots both within and
    beyond it; when all of that date's are beyond, the date before is the last.
    """
    today = cal.local(now).date()
    last = cal.local(now + timedelta(days=settings.booking_horizon_days)).date()
    while last > today and day_refusal(cal.day_plan(last), today, now, settings) == "beyond_horizon":
        last -= timedelta(days=1)
    return last


def find_duplicate(
    existing: Iterable[ActiveBooking], id_number: str, service: str, day: date
) -> ActiveBooking | None:
    """The person's active booking of the same service on the same day, if any (one is the limit)."""
    wanted = id_number.upper()
    return next(
        (b for b in existing if b.id_number.upper() == wanted and b.service == service and b.day == day), None
    )


def suspended_until(
    no_show_times: Iterable[datetime], now: datetime, settings: SiteSettings
) -> datetime | None:
    """When booking becomes possible again after too many no-shows, or None when not suspended.

    A person with `no_show_limit` no-shows within the last `no_show_window_days` is suspended for
    `no_show_suspension_days` from the no-show that reached the limit. A limit of 0 disables the rule.
    """
    if settings.no_show_limit <= 0:
        return None
    window = timedelta(days=settings.no_show_window_days)
    recent = sorted(t for t in no_show_times if now - window <= t <= now)
    if len(recent) < settings.no_show_limit:
        return None
    until = recent[-1] + timedelta(days=settings.no_show_suspension_days)
    return until if until > now else None


def check_in_window(slot_start: datetime, settings: SiteSettings) -> tuple[datetime, datetime]:
    """The instants between which a booking may check in (both inclusive)."""
    return (
        slot_start - timedelta(minutes=settings.check_in_early_minutes),
        slot_start + timedelta(minutes=settings.check_in_late_minutes),
    )


def check_in_refusal(now: datetime, slot_start: datetime, settings: SiteSettings) -> CheckInRefusal | None:
    opens, closes = check_in_window(slot_start, settings)
    if now < opens:
        return "too_early"
    if now > closes:
        return "too_late"
    return None


def new_check_in_code(rng: RandomSource, taken: Collection[str] = ()) -> str:
    """A 6-digit check-in code not in `taken` (the codes of the site's other open bookings of the day)."""
    if len(taken) >= 1_000_000:
        raise ValueError("every check-in code is taken")
    while True:
        code = f"{rng.randrange(1_000_000):06d}"
        if code not in taken:
            return code


def qr_payload(booking_id: str, check_in_code: str) -> str:
    if not _BOOKING_ID.fullmatch(booking_id) or not _CHECK_IN_CODE.fullmatch(check_in_code):
        raise ValueError("booking id must be [A-Za-z0-9_-]{1,64} and the code six digits")
    return f"{QR_PREFIX}:{booking_id}:{check_in_code}"


def parse_qr_payload(payload: str | bytes) -> tuple[str, str]:
    """(booking_id, check_in_code) of a booking QR payload; QrPayloadError on anything else.

    Strict: no surrounding whitespace, no lowercase prefix, ASCII only (a scanner's terminator is
    removed by the scanner driver, not here).
    """
    if isinstance(payload, bytes):
        try:
            payload = payload.decode("ascii")
        except UnicodeDecodeError as exc:
            raise QrPayloadError("not_ascii") from exc
    if not isinstance(payload, str):
        raise QrPayloadError("not_text")
    if len(payload) > 80:
        raise QrPayloadError("too_long")
    parts = payload.split(":")
    if len(parts) != 3 or parts[0] != QR_PREFIX:
        raise QrPayloadError("format")
    booking_id, code = parts[1], parts[2]
    if not _BOOKING_ID.fullmatch(booking_id):
        raise QrPayloadError("booking_id")
    if not _CHECK_IN_CODE.fullmatch(code):
        raise QrPayloadError("check_in_code")
    return booking_id, code
