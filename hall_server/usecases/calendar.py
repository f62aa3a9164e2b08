"""The calendar use cases: a site's days with the booking rules applied, a service's slots, slot capacity
changes by staff (动态调整), and operator holiday files."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hall_server.domain.booking import bookable_until, booking_refusal, day_refusal
from hall_server.domain.calendar import PlannedSession, SlotIdError, parse_slot_id
from hall_server.state.hall_state import HallState
from hall_server.store import bookings, calendars
from hall_server.usecases.catalogue import require_service
from hall_server.usecases.planning_range import FIRST_DAY, LAST_DAY, planning_date
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import known_site
from hall_server.usecases.slot_lookup import slots_with_counts

MAX_DAYS = 92


def _hhmm(session: PlannedSession) -> tuple[str, str]:
    end = "24:00" if session.rule.end_minute == 24 * 60 else f"{session.end:%H:%M}"
    return f"{session.start:%H:%M}", end


def _session(session: PlannedSession, lang: str) -> dict[str, Any]:
    start, end = _hhmm(session)
    cutoff = session.rule.cutoff if session.rule.bookable else None
    return {
        "kind": session.kind,
        "name": session.rule.name(lang),
        "start": start,
        "end": end,
        "booking_cutoff": session.booking_cutoff.isoformat() if session.booking_cutoff else None,
        "bookable": session.rule.bookable,
        "slot_cutoff_minutes": cutoff.minutes_before if cutoff is not None else None,
    }


def calendar_answer(hall: HallState, site: str, first: date, last: date, lang: str) -> dict[str, Any]:
    """Days with their sessions, holiday names, whether the holiday calendar is confirmed, and whether a
    booking can still be made (by domain.booking's rules), so a kiosk derives none of them."""
    profile = known_site(site)
    planning_date(first, "'from'")
    planning_date(last, "'to'")
    if last < first:
        raise Refusal("invalid_range", "'to' is before 'from'")
    if (last - first).days + 1 > MAX_DAYS:
        raise Refusal("range_too_long", f"at most {MAX_DAYS} days at a time")
    cal = hall.calendars.site(site)
    now = hall.now()
    today = cal.local(now).date()
    settings = profile.settings
    days = []
    for plan in cal.days(first, last):
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
                "sessions": [_session(s, lang) for s in plan.sessions],
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


def slots_answer(hall: HallState, site: str, service: str, day: date, lang: str) -> dict[str, Any]:
    """The slots of a service on a day with capacity, places left, and why one is not bookable."""
    profile = known_site(site)
    entry = require_service(service)
    planning_date(day, "'date'")
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


def change_capacity(hall: HallState, slot_id: str, capacity: int) -> dict[str, Any]:
    """Change the bookable places of one slot (动态调整); never below the places already booked."""
    try:
        site, service, start = parse_slot_id(slot_id)
        if not FIRST_DAY <= start.date() <= LAST_DAY:
            raise SlotIdError("unknown_slot: outside the planning range")
        cal = hall.calendars.site(site)
        slot = cal.find_slot(slot_id)
    except SlotIdError as exc:
        # The slot the URL names: not found, where a slot named in a body is a bad request.
        raise Refusal("unknown_slot", "no such slot", status_hint=404) from exc
    with hall.db.write() as conn:
        bookings.ensure_slot_counter(conn, slot.id, site, service, slot.start, slot.capacity)
        current = bookings.slot_counters(conn, site, service, slot.start, slot.start + timedelta(seconds=1))
        booked = current[slot.id][1]
        if capacity < booked:
            raise Refusal("capacity_below_booked", f"{booked} places are already booked",
                          extra={"booked": booked})
        capacity, booked = bookings.set_capacity(conn, slot.id, capacity)
    return {"id": slot.id, "capacity": capacity, "booked": booked, "remaining": capacity - booked}


def loaded_calendars(hall: HallState) -> dict[str, Any]:
    with hall.db.read() as conn:
        years = calendars.stored_years(conn)
    return {"years": [{"year": y.year, "loaded_at": y.loaded_at.isoformat()} for y in years]}
