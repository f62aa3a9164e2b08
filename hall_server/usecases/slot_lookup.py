"""Finding a bookable slot for a service, and why a day has none (closed, or the service not offered)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from hall_server.domain.calendar import SiteCalendar, Slot
from hall_server.store import bookings
from hall_server.usecases.catalogue import ServiceEntry


def day_bounds(cal: SiteCalendar, day: date) -> tuple[datetime, datetime]:
    first = datetime(day.year, day.month, day.day, tzinfo=cal.tz)
    return first, first + timedelta(days=1)


def slots_with_counts(conn: Connection, cal: SiteCalendar, entry: ServiceEntry,
                      day: date) -> list[tuple[Slot, int]]:
    """The day's slots of a service with capacity as staff set it and the places already booked."""
    first, last = day_bounds(cal, day)
    counters = bookings.slot_counters(conn, cal.site.code, entry.code, first, last)
    overrides = {slot_id: capacity for slot_id, (capacity, _booked) in counters.items()}
    found = cal.slots(entry.code, day, capacity_overrides=overrides)
    return [(slot, counters.get(slot.id, (0, 0))[1]) for slot in found]


def offered_that_day(cal: SiteCalendar, entry: ServiceEntry, day: date) -> bool:
    """Whether the service is handled in a bookable session that day, or the day is closed to bookings.

    The domain's booking_refusal takes this as ``offered``: True for a closed day, False when the site
    is open for bookings but not for this service.
    """
    bookable = [s for s in cal.day_plan(day).sessions if s.rule.bookable]
    if not bookable:
        return True
    return any(s.rule.offers(entry.code, entry.department) for s in bookable)
