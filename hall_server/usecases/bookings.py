"""Bookings: making one by the domain's rules, reading it back, and cancelling it."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from citizen_id.masking import mask_id_number, mask_name
from hall_server.domain.booking import (
    ActiveBooking,
    booking_refusal,
    find_duplicate,
    new_check_in_code,
    qr_payload,
    suspended_until,
)
from hall_server.domain.calendar import SiteCalendar, SlotIdError, parse_slot_id
from hall_server.domain.sites import SiteSettings
from hall_server.state.hall_state import HallState
from hall_server.store import bookings, retention
from hall_server.usecases.caller import Caller
from hall_server.usecases.catalogue import ServiceEntry, offered_entry, refuse_switched_off, require_service
from hall_server.usecases.creating import Create, Created
from hall_server.usecases.event_log import booking_event, caller_kiosk
from hall_server.usecases.id_numbers import valid_id_number
from hall_server.usecases.identity_budget import count_identity
from hall_server.usecases.missed_bookings import mark_missed
from hall_server.usecases.planning_range import FIRST_DAY, LAST_DAY
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import known_site
from hall_server.usecases.slot_lookup import offered_that_day, slots_with_counts

_RNG = random.SystemRandom()
REFUSAL_TEXT = {
    "cutoff_passed": "booking for this slot has closed",
    "slot_full": "this slot is fully booked",
    "closed_day": "the hall is closed that day",
    "calendar_unconfirmed": "that day's calendar is not published yet",
    "service_not_offered": "the service is not handled that day",
    "beyond_horizon": "that day is too far ahead",
    "booking_suspended": "booking is suspended after repeated no-shows",
}


def describe(hall: HallState, row: bookings.Booking, lang: str) -> dict[str, Any]:
    """The booking as docs/api.md shows it (ID number and name masked), the service's name and where as
    the administration edited them."""
    tz = known_site(row.site).tz
    entry = offered_entry(hall, row.service)
    return {
        "id": row.id,
        "status": row.status,
        "service": {"code": row.service, "name": entry.name(lang) if entry else row.service},
        "site": row.site,
        "slot_id": row.slot_id,
        "start": row.start.astimezone(tz).isoformat(),
        "end": row.end.astimezone(tz).isoformat(),
        "session": row.session,
        "check_in_code": row.check_in_code,
        "qr_payload": qr_payload(row.id, row.check_in_code),
        "citizen": {
            "name_masked": mask_name(row.name),
            "id_number_masked": mask_id_number(row.id_number),
        },
        "channel": row.channel,
        "where": entry.where(lang) if entry else None,
        "ticket_id": row.ticket_id,
    }


def refused(reason: str) -> Refusal:
    return Refusal(reason, REFUSAL_TEXT.get(reason, reason))


def _duplicate_booking() -> Refusal:
    return Refusal("duplicate_booking", "this person already has a booking of this service that day")


@dataclass(frozen=True)
class SlotRequest:
    """A slot asked for, checked as far as it can be before the write transaction."""

    site: str
    slot_id: str
    day: date
    person: str  # the ID number, validated and normalised
    entry: ServiceEntry
    cal: SiteCalendar
    settings: SiteSettings
    now: datetime


def slot_request(
    hall: HallState, caller: Caller, *, service: str, slot_id: str, id_number: str
) -> SlotRequest:
    """The checks of a slot that need no transaction (refused unknown_slot, unknown_service,
    invalid_id_number, …)."""
    now = hall.now()
    try:
        site, slot_service, local_start = parse_slot_id(slot_id)
    except SlotIdError as exc:
        raise Refusal("unknown_slot", "no such slot") from exc
    if slot_service != service:
        raise Refusal("unknown_slot", "the slot belongs to another service")
    if not FIRST_DAY <= local_start.date() <= LAST_DAY:
        raise Refusal("unknown_slot", "no such slot")
    settings = known_site(site).settings
    if caller.kiosk is not None and caller.kiosk.site != site:
        raise Refusal("unknown_slot", "the slot belongs to another site")
    entry = require_service(service)
    refuse_switched_off(hall, entry.code)
    cal = hall.calendars.site(site)
    person = valid_id_number(id_number, cal.local(now).date())
    return SlotRequest(site=site, slot_id=slot_id, day=local_start.date(), person=person, entry=entry,
                       cal=cal, settings=settings, now=now)


def take_slot(conn: Connection, req: SlotRequest, *, name: str, phone: str | None, channel: str,
              created_by: str, kiosk: str | None = None) -> bookings.Booking:
    """Book a place of ``req``'s slot inside ``conn``'s transaction by every rule a booking has:
    closed days, cut-offs, horizon, no-show suspension, one active booking per person, service and
    day, and capacity under any concurrency (refused slot_full, duplicate_booking, cutoff_passed, …)."""
    site, day, person, entry, settings, now = req.site, req.day, req.person, req.entry, req.settings, req.now
    counted = slots_with_counts(conn, req.cal, entry, day)
    match = next(((s, n) for s, n in counted if s.id == req.slot_id), None)
    if match is None and counted:
        raise Refusal("unknown_slot", "no such slot")
    mark_missed(conn, now, site=site, person=person)
    suspended = suspended_until(bookings.no_show_times(conn, site, person), now, settings)
    slot, booked = match if match else (None, 0)
    reason = booking_refusal(
        slot, now, settings, booked=booked, offered=offered_that_day(req.cal, entry, day),
        suspended_until=suspended,
    )
    if reason is not None:
        raise refused(reason)
    assert slot is not None
    active = [
        ActiveBooking(b.id, b.id_number, b.service, b.day)
        for b in bookings.active_of_person(conn, site, person, day)
    ]
    if find_duplicate(active, person, entry.code, day) is not None:
        raise _duplicate_booking()
    bookings.ensure_slot_counter(conn, slot.id, site, entry.code, slot.start, slot.capacity)
    if not bookings.take_place(conn, slot.id):
        raise refused("slot_full")
    booking = bookings.Booking(
        id=bookings.new_booking_id(),
        site=site,
        service=entry.code,
        slot_id=slot.id,
        day=day,
        start=slot.start,
        end=slot.end,
        session=slot.session.kind,
        id_number=person,
        name=name.strip(),
        phone=phone,
        channel=channel,
        status="booked",
        check_in_code=new_check_in_code(_RNG, bookings.codes_taken(conn, site, day)),
        ticket_id=None,
        created_by=created_by,
        created_at=now,
        cancelled_at=None,
    )
    try:
        with conn.begin_nested():
            row = bookings.insert_booking(conn, booking)
    except IntegrityError as exc:
        # The partial unique index caught a concurrent duplicate that the read above could not see.
        raise _duplicate_booking() from exc
    booking_event(conn, "booking_made", row, now, kiosk=kiosk)
    return row


def new_booking(
    hall: HallState, caller: Caller, *, service: str, slot_id: str, id_number: str, name: str,
    phone: str | None, channel: str, lang: str,
) -> Create:
    """Book a place in a slot (refused slot_full, duplicate_booking, cutoff_passed, closed_day, …)."""
    count_identity(hall, caller, id_number)
    req = slot_request(hall, caller, service=service, slot_id=slot_id, id_number=id_number)

    def create(conn: Connection) -> Created:
        row = take_slot(conn, req, name=name, phone=phone, channel=channel, created_by=caller.scope,
                        kiosk=caller_kiosk(caller))
        return 201, describe(hall, row, lang)

    return create


def visible(row: bookings.Booking | None, caller: Caller) -> bookings.Booking:
    # A kiosk sees the bookings of its own site only; another site's booking is as if unknown.
    if row is None or (caller.kiosk is not None and row.site != caller.kiosk.site):
        raise Refusal("booking_not_found", "no such booking")
    return row


def booking_answer(hall: HallState, caller: Caller, booking_id: str, lang: str) -> dict[str, Any]:
    """A booking by id; Refusal ``booking_not_found`` also for a kiosk of another site."""
    with hall.db.read() as conn:
        row = visible(bookings.get(conn, booking_id), caller)
    return describe(hall, row, lang)


def cancel_in(conn: Connection, row: bookings.Booking, now: datetime, *, kiosk: str | None = None
              ) -> bookings.Booking:
    """Cancel ``row`` inside ``conn``'s transaction: its place is freed and its personal data erased at
    once; a cancelled booking is answered as it is; refused not_cancellable once checked in or missed."""
    if row.status == "booked" and bookings.set_status(conn, row.id, ("booked",), status="cancelled",
                                                      cancelled_at=now):
        bookings.free_place(conn, row.slot_id)
        booking_event(conn, "booking_cancelled", row, now, kiosk=kiosk)
        retention.erase_booking(conn, row.id, now, "cancelled")
        return replace(row, status="cancelled", cancelled_at=now, name="",
                       id_number=mask_id_number(row.id_number), phone=None, personal_erased_at=now)
    if row.status == "booked":
        # Cancelled or checked in by a concurrent request between the read and the update.
        fresh = bookings.get(conn, row.id)
        assert fresh is not None
        row = fresh
    if row.status != "cancelled":
        raise Refusal("not_cancellable", f"a booking that is {row.status} cannot be cancelled")
    return row

