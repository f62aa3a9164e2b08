"""Site calendars and slots, slot capacity changes by staff (动态调整), and operator holiday files."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from hall_server.api import ticketing
from hall_server.api.auth import ADMIN, COUNTER, KIOSK_OR_STAFF, Caller, hall_of
from hall_server.api.errors import ApiError
from hall_server.api.fields import FIRST_DAY, LAST_DAY, Text, planning_date
from hall_server.api.languages import Lang
from hall_server.api.site_calendar import parse_operator_file
from hall_server.api.site_rules import site_or_404
from hall_server.api.slot_lookup import slots_with_counts
from hall_server.domain.booking import bookable_until, booking_refusal, day_refusal
from hall_server.domain.calendar import PlannedSession, SlotIdError, parse_slot_id
from hall_server.store import bookings, calendars

router = APIRouter(tags=["calendar"])
SITE = Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
MAX_DAYS = 92


def _hhmm(session: PlannedSession) -> tuple[str, str]:
    end = "24:00" if session.rule.end_minute == 24 * 60 else f"{session.end:%H:%M}"
    return f"{session.start:%H:%M}", end


@router.get("/sites/{site}/calendar")
def site_calendar(
    request: Request,
    site: str = SITE,
    first: date = Query(alias="from"),
    last: date = Query(alias="to"),
    lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> dict[str, Any]:
    """Days with their sessions, holiday names and whether the holiday calendar is confirmed."""
    profile = site_or_404(site)
    planning_date(first, "'from'")
    planning_date(last, "'to'")
    if last < first:
        raise ApiError(422, "invalid_range", "'to' is before 'from'")
    if (last - first).days + 1 > MAX_DAYS:
        raise ApiError(422, "range_too_long", f"at most {MAX_DAYS} days at a time")
    hall = hall_of(request)
    cal = hall.calendars.site(site)
    now = hall.now()
    today = cal.local(now).date()
    settings = profile.settings
    days = []
    for plan in cal.days(first, last):
        sessions = []
        for s in plan.sessions:
            start, end = _hhmm(s)
            cutoff = s.rule.cutoff if s.rule.bookable else None
            sessions.append(
                {
                    "kind": s.kind,
                    "name": s.rule.name(lang),
                    "start": start,
                    "end": end,
                    "booking_cutoff": s.booking_cutoff.isoformat() if s.booking_cutoff else None,
                    "bookable": s.rule.bookable,
                    "slot_cutoff_minutes": cutoff.minutes_before if cutoff is not None else None,
                }
            )
        reason = day_refusal(plan, today, now, settings)
        days.append(
            {
                "date": plan.date.isoformat(),
                "weekday": plan.weekday,
                "workday": plan.workday,
                "holiday": plan.holiday_name(lang),
                "adjusted_workday": plan.adjusted_workday,
                "calendar_confirmed": plan.calendar_confirmed,
                "bookable": reason is None,
                "reason": reason,
                "sessions": sessions,
            }
        )
    return {
        "site": site,
        "timezone": profile.timezone_name,
        "today": today.isoformat(),
        "booking_horizon_days": settings.booking_horizon_days,
        "bookable_until": bookable_until(cal, now, settings).isoformat(),
        "days": days,
    }


@router.get("/sites/{site}/slots")
def site_slots(
    request: Request,
    site: str = SITE,
    service: str = Query(min_length=1, max_length=32),
    day: date = Query(alias="date"),
    lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> dict[str, Any]:
    """The slots of a service on a day with capacity, places left, and why one is not bookable."""
    profile = site_or_404(site)
    entry = ticketing.require_service(service)
    planning_date(day, "'date'")
    hall = hall_of(request)
    now = hall.now()
    cal = hall.calendars.site(site)
    with hall.db.read() as conn:
        counted = slots_with_counts(conn, cal, entry, day)
    slots = []
    for slot, booked in counted:
        reason = booking_refusal(slot, now, profile.settings, booked=booked)
        slots.append(
            {
                "id": slot.id,
                "start": slot.start.isoformat(),
                "end": slot.end.isoformat(),
                "session": slot.session.kind,
                "session_name": slot.session.rule.name(lang),
                "capacity": slot.capacity,
                "remaining": max(slot.capacity - booked, 0),
                "bookable": reason is None,
                "reason": reason,
                "booking_cutoff": slot.booking_cutoff.isoformat(),
            }
        )
    return {
        "site": site,
        "service": entry.code,
        "date": day.isoformat(),
        "calendar_confirmed": cal.day_plan(day).calendar_confirmed,
        "slots": slots,
    }


class CapacityBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    capacity: int = Field(ge=0, le=1000)


@router.put("/slots/{slot_id}/capacity")
def change_capacity(
    body: CapacityBody,
    request: Request,
    slot_id: str = Path(max_length=120),
    caller: Caller = Depends(COUNTER),
) -> dict[str, Any]:
    """Change the bookable places of one slot (动态调整); never below the places already booked."""
    hall = hall_of(request)
    try:
        site, service, start = parse_slot_id(slot_id)
        if not FIRST_DAY <= start.date() <= LAST_DAY:
            raise SlotIdError("unknown_slot: outside the planning range")
        cal = hall.calendars.site(site)
        slot = cal.find_slot(slot_id)
    except SlotIdError as exc:
        raise ApiError(404, "unknown_slot", "no such slot") from exc
    with hall.db.write() as conn:
        bookings.ensure_slot_counter(conn, slot.id, site, service, slot.start, slot.capacity)
        current = bookings.slot_counters(conn, site, service, slot.start, slot.start + timedelta(seconds=1))
        booked = current[slot.id][1]
        if body.capacity < booked:
            raise ApiError(
                409, "capacity_below_booked", f"{booked} places are already booked", extra={"booked": booked}
            )
        capacity, booked = bookings.set_capacity(conn, slot.id, body.capacity)
    return {"id": slot.id, "capacity": capacity, "booked": booked, "remaining": capacity - booked}


class CalendarFileBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    toml: Text = Field(min_length=1, max_length=60_000)


@router.post("/calendars", status_code=201)
def load_calendar(
    body: CalendarFileBody, request: Request, caller: Caller = Depends(ADMIN)
) -> dict[str, Any]:
    """Load an operator holiday file (calendar/<year>.toml, as text); it overrides the built-in year."""
    year, holidays, adjusted = parse_operator_file(body.toml)
    hall = hall_of(request)
    with hall.db.write() as conn:
        calendars.store_year(conn, year, body.toml, hall.now())
    hall.calendars.invalidate()
    return {"year": year, "holidays": holidays, "adjusted_workdays": adjusted}


@router.get("/calendars")
def loaded_calendars(request: Request, caller: Caller = Depends(ADMIN)) -> dict[str, Any]:
    hall = hall_of(request)
    with hall.db.read() as conn:
        years = calendars.stored_years(conn)
    return {"years": [{"year": y, "loaded_at": at.isoformat()} for y, _text, at in years]}
