"""Checking a booking in (by QR code, check-in code or ID number): a ticket served ahead of walk-ins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from hall_server.domain.booking import QrPayloadError, check_in_refusal, check_in_window, parse_qr_payload
from hall_server.state.hall_state import HallState
from hall_server.store import bookings
from hall_server.usecases import tickets
from hall_server.usecases.caller import Caller
from hall_server.usecases.catalogue import require_service
from hall_server.usecases.creating import Create, Created
from hall_server.usecases.event_log import booking_event, caller_kiosk
from hall_server.usecases.id_numbers import valid_id_number
from hall_server.usecases.identity_budget import count_identity
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import known_site, site_local


def _find(
    conn: Connection, hall: HallState, site: str, now: datetime, *, check_in_code: str | None,
    qr_payload: str | None, id_number: str | None,
) -> bookings.Booking:
    cal = hall.calendars.site(site)
    today = cal.local(now).date()
    if qr_payload is not None:
        try:
            booking_id, code = parse_qr_payload(qr_payload)
        except QrPayloadError as exc:
            raise Refusal("invalid_qr_payload", "not a booking QR code") from exc
        row = bookings.get(conn, booking_id)
        if row is None or row.check_in_code != code or row.site != site:
            raise Refusal("booking_not_found", "no such booking")
        return row
    if check_in_code is not None:
        booked = bookings.booked_on_day(conn, site, today)
        candidates = [b for b in booked if b.check_in_code == check_in_code]
    else:
        assert id_number is not None
        candidates = bookings.active_of_person(conn, site, valid_id_number(id_number, today), today)
    if not candidates:
        raise Refusal("booking_not_found", "no booking today matches")
    # Several bookings of one person today: the one whose slot is nearest now.
    return min(candidates, key=lambda b: abs((b.start - now).total_seconds()))


def check_in(
    hall: HallState, caller: Caller, *, site: str | None, check_in_code: str | None, qr_payload: str | None,
    id_number: str | None, lang: str, base_url: str,
) -> Create:
    """Check a booking in within its window (refused too_early, too_late, already_checked_in, …)."""
    if id_number is not None:
        count_identity(hall, caller, id_number)
    where = caller.site_of_request(site)
    settings = known_site(where).settings
    now = hall.now()

    def create(conn: Connection) -> Created:
        row = _find(conn, hall, where, now, check_in_code=check_in_code, qr_payload=qr_payload,
                    id_number=id_number)
        if row.status == "checked_in":
            raise Refusal("already_checked_in", "this booking has its ticket already",
                          extra={"ticket_id": row.ticket_id})
        if row.status != "booked":
            raise Refusal("booking_not_found", f"the booking is {row.status}")
        refusal = check_in_refusal(now, row.start, settings)
        if refusal is not None:
            # When the window opens and closes, in hall time, so the kiosk can say "签到时间 17:30 起".
            opens, closes = (site_local(where, at) for at in check_in_window(row.start, settings))
            window = {"check_in_opens": opens.isoformat(), "check_in_closes": closes.isoformat()}
            raise Refusal(refusal, "outside the check-in window of the booking", details=window)
        entry = require_service(row.service)
        ticket, place = tickets.issue(conn, hall, site=where, entry=entry, now=now, booking_id=row.id,
                                      slot_start=row.start)
        if not bookings.set_status(conn, row.id, ("booked",), status="checked_in", ticket_id=ticket.id):
            raise Refusal("already_checked_in", "this booking has its ticket already")
        tickets.announce_waiting(conn, hall, ticket)
        booking_event(conn, "booking_checked_in", row, now, related=ticket.id, kiosk=caller_kiosk(caller))
        return 201, tickets.describe(conn, hall, ticket, now, lang, base_url, place)

    return create
