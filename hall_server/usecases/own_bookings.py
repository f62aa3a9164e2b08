"""A person's own bookings at a kiosk (DESIGN §4.5): listed, cancelled and moved to another slot, each
only for the person present (card, code or e-ID proof), and by the rules every new booking meets."""

from __future__ import annotations

import hmac
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from citizen_id.masking import mask_id_number
from hall_server.domain.calendar import SlotIdError, parse_slot_id
from hall_server.state.hall_state import HallState
from hall_server.store import audit, bookings, retention
from hall_server.usecases.bookings import cancel_in, describe, slot_request, take_slot, visible
from hall_server.usecases.caller import Caller
from hall_server.usecases.creating import Create, Created
from hall_server.usecases.event_log import booking_event, caller_kiosk
from hall_server.usecases.id_numbers import valid_id_number
from hall_server.usecases.identity_budget import count_identity
from hall_server.usecases.missed_bookings import mark_missed
from hall_server.usecases.presence import Proof, verify_presence
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import known_site, site_local

log = logging.getLogger(__name__)
# The audit log's kind for a listing of someone's bookings (record queries use the record kinds).
LISTED = "own_bookings"


def present_person(hall: HallState, caller: Caller, id_number: str, name: str, proof: Proof | None) -> str:
    """The ID number (normalised) of the person shown to be at the kiosk; counted toward the kiosk's
    identity budget first, like every request naming someone. Refused kiosk_quota, invalid_id_number,
    proof_required, identity_not_verified, challenge_expired."""
    count_identity(hall, caller, id_number)
    person = valid_id_number(id_number, site_local(caller.site, hall.now()).date())
    verify_presence(hall, caller, person, name, proof)
    return person


def _owned(row: bookings.Booking | None, caller: Caller, person: str) -> bookings.Booking:
    """The booking if it is ``person``'s at the caller's site; otherwise the very refusal an unknown id
    gets, so that a stranger learns nothing from guessing ids."""
    row = visible(row, caller)
    if not hmac.compare_digest(row.id_number.upper().encode(), person.upper().encode()):
        raise Refusal("booking_not_found", "no such booking")
    return row


def _slot_facts(hall: HallState, row: bookings.Booking, lang: str) -> tuple[str, datetime]:
    """The booked session's name in ``lang`` and the slot's booking cut-off (its start when the
    calendar no longer holds the slot)."""
    cal = hall.calendars.site(row.site)
    slot = next((s for s in cal.slots(row.service, row.day) if s.id == row.slot_id), None)
    if slot is None:
        return "", row.start
    return slot.session.rule.name(lang), slot.booking_cutoff


def slot_service(slot_id: str) -> str:
    """The service a slot id names; refused unknown_slot when it names none."""
    try:
        return parse_slot_id(slot_id)[1]
    except SlotIdError as exc:
        raise Refusal("unknown_slot", "no such slot") from exc


def _movable(row: bookings.Booking, cutoff: datetime, now: datetime) -> bool:
    # As the domain's timing rule: past the cut-off, or once the slot has begun, it is closed.
    return not (now > cutoff or now >= row.start)


def list_own(
    hall: HallState, caller: Caller, *, id_number: str, name: str, proof: Proof | None, lang: str
) -> dict[str, Any]:
    """The person's bookings at the kiosk's site still waiting for check-in, earliest first, each with
    whether it can still be moved; audited like a record query (ID number masked)."""
    person = present_person(hall, caller, id_number, name, proof)
    site = caller.site_of_request(None)
    now = hall.now()
    masked = mask_id_number(person)
    with hall.db.write() as conn:
        mark_missed(conn, now, site=site, person=person)
        rows = bookings.booked_of_person(conn, site, person)
        audit.log_query(conn, now, caller.scope, site, LISTED, masked, len(rows))
    log.info("own bookings listed id=%s rows=%d by %s", masked, len(rows), caller.scope)
    held = []
    for row in rows:
        session_name, cutoff = _slot_facts(hall, row, lang)
        movable = _movable(row, cutoff, now)
        held.append({**describe(hall, row, lang), "session_name": session_name, "movable": movable,
                     "move_cutoff": cutoff.astimezone(known_site(site).tz).isoformat()})
    return {"bookings": held}


def cancel(
    hall: HallState, caller: Caller, booking_id: str, *, id_number: str | None, name: str | None,
    proof: Proof | None, lang: str,
) -> Create:
    """Cancel a booking and free its place. Staff cancel any booking; a kiosk only one of the person
    shown present (refused proof_required without a proof, booking_not_found for another's)."""
    person: str | None = None
    if caller.kiosk is not None:
        if proof is None or id_number is None or name is None:
            raise Refusal("proof_required", "a kiosk cancels a booking for the person present only")
        person = present_person(hall, caller, id_number, name, proof)

    def create(conn: Connection) -> Created:
        found = bookings.get(conn, booking_id)
        row = visible(found, caller) if person is None else _owned(found, caller, person)
        return 200, describe(hall, cancel_in(conn, row, hall.now(), kiosk=caller_kiosk(caller)), lang)

    return create


def move(
    hall: HallState, caller: Caller, booking_id: str, *, slot_id: str, id_number: str, name: str,
    proof: Proof | None, lang: str,
) -> Create:
    """Move the person's booking to another slot of its service: one transaction cancels it (freeing
    its place) and books the new slot through the same rules as ``POST /bookings``, so a refusal
    leaves the booking as it was. The new booking has its own id and check-in code: the earlier
    slip's QR and code stop working, so nobody comes at the old time on its strength.

    Refused as a new booking is (slot_full, cutoff_passed, duplicate_booking, …), and move_closed once
    the booking's own slot is past its cut-off, same_slot for its own slot, booking_not_found for a
    booking that is not the person's or no longer booked."""
    person = present_person(hall, caller, id_number, name, proof)
    # The booking is read inside the transaction only: a retry's replay comes before it, when the moved
    # booking no longer names its person.
    req = slot_request(hall, caller, service=slot_service(slot_id), slot_id=slot_id, id_number=person)

    def create(conn: Connection) -> Created:
        row = _owned(bookings.get(conn, booking_id), caller, person)
        now = req.now
        if row.service != req.entry.code:
            raise Refusal("unknown_slot", "the slot belongs to another service")
        if row.status != "booked":
            raise Refusal("booking_not_found", f"the booking is {row.status}, no longer booked")
        if row.slot_id == req.slot_id:
            raise Refusal("same_slot", "the booking is in that slot already")
        _session, cutoff = _slot_facts(hall, row, lang)
        if not _movable(row, cutoff, now):
            raise Refusal("move_closed", "the booking's slot is past its cut-off: it can only be cancelled")
        if not bookings.set_status(conn, row.id, ("booked",), status="cancelled", cancelled_at=now):
            raise Refusal("booking_not_found", "the booking changed meanwhile")
        bookings.free_place(conn, row.slot_id)
        # In the event log a move is the earlier booking cancelled and a new one made, both at once.
        booking_event(conn, "booking_cancelled", row, now, kiosk=caller_kiosk(caller))
        new = take_slot(conn, req, name=row.name, phone=row.phone, channel=row.channel,
                        created_by=caller.scope, kiosk=caller_kiosk(caller))
        retention.erase_booking(conn, row.id, now, "moved")
        new_session, _cutoff = _slot_facts(hall, new, lang)
        log.info("booking %s moved to %s as %s by %s", row.id, new.slot_id, new.id, caller.scope)
        return 201, {**describe(hall, new, lang), "session_name": new_session, "replaces": row.id}

    return create
