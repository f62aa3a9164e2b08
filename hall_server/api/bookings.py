"""Booking routes: create (``POST /bookings``), read, cancel, and check in for a ticket."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from hall_contract import BookingBody, CheckInBody
from hall_server.api.answers import BookingAnswer, TicketAnswer, answered_as
from hall_server.api.auth import KIOSK_OR_STAFF, Caller, hall_of
from hall_server.api.languages import Lang
from hall_server.middleware.idempotency import create_in_writer
from hall_server.usecases import bookings, check_in, tickets

router = APIRouter(tags=["bookings"])
BOOKING_ID = Path(min_length=3, max_length=40, pattern=r"^b_[A-Za-z0-9_-]+$")


@router.post("/bookings", status_code=201, response_model=BookingAnswer)
async def create_booking(
    body: BookingBody,
    request: Request,
    lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> Response:
    """Book a place in a slot (409 slot_full / duplicate_booking; 422 cutoff_passed, closed_day, …)."""
    hall = hall_of(request)
    prepare = partial(
        bookings.new_booking, hall, caller, service=body.service, slot_id=body.slot_id,
        id_number=body.citizen.id_number, name=body.citizen.name, phone=body.citizen.phone,
        channel=body.channel, lang=lang,
    )
    return await create_in_writer(hall, request, caller, body, lambda: answered_as(BookingAnswer, prepare()))


@router.get("/bookings/{booking_id}", response_model=BookingAnswer)
def get_booking(
    request: Request,
    booking_id: str = BOOKING_ID,
    lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> dict[str, Any]:
    return bookings.booking_answer(hall_of(request), caller, booking_id, lang)


@router.delete("/bookings/{booking_id}", response_model=BookingAnswer)
def cancel_booking(
    request: Request,
    booking_id: str = BOOKING_ID,
    lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> dict[str, Any]:
    """Cancel a booking and free its place (cancelling twice answers the cancelled booking)."""
    return bookings.cancel_booking(hall_of(request), caller, booking_id, lang)


@router.post("/bookings/check-in", status_code=201, response_model=TicketAnswer)
async def check_in_booking(
    body: CheckInBody,
    request: Request,
    lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> Response:
    """Check a booking in: a ticket served ahead of walk-ins within its slot window."""
    hall = hall_of(request)
    prepare = partial(
        check_in.check_in, hall, caller, site=body.site, check_in_code=body.check_in_code,
        qr_payload=body.qr_payload, id_number=body.id_number, lang=lang, base_url=str(request.base_url),
    )
    reply = await create_in_writer(hall, request, caller, body, lambda: answered_as(TicketAnswer, prepare()))
    if reply.status_code == 201:
        tickets.line_changed(hall, caller, body.site)
    return reply
