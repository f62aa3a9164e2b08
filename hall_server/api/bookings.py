"""Booking routes: create (``POST /bookings``), read, cancel, check in for a ticket, and a person's own
bookings at a kiosk (list, move)."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from hall_contract import BookingBody, CheckInBody, MoveBody, MovedBooking, OwnBookings, OwnerBody
from hall_server.api.answers import BookingAnswer, TicketAnswer, answered_as
from hall_server.api.auth import KIOSK_ONLY, KIOSK_OR_STAFF, Caller, hall_of
from hall_server.api.languages import Lang
from hall_server.middleware.idempotency import create_in_writer
from hall_server.usecases import bookings, check_in, own_bookings

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
async def cancel_booking(
    request: Request,
    body: OwnerBody | None = None,
    booking_id: str = BOOKING_ID,
    lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> Response:
    """Cancel a booking and free its place (cancelling twice answers the cancelled booking). A kiosk
    sends whose it is with the proof that they are present (403 proof_required without one)."""
    hall = hall_of(request)
    prepare = partial(
        own_bookings.cancel, hall, caller, booking_id, id_number=body.id_number if body else None,
        name=body.name if body else None, proof=body.proof if body else None, lang=lang,
    )
    return await create_in_writer(hall, request, caller, body, lambda: answered_as(BookingAnswer, prepare()))


@router.post("/bookings/mine", response_model=OwnBookings)
def own_bookings_list(
    body: OwnerBody, request: Request, lang: Lang = Query("zh-Hans"), caller: Caller = Depends(KIOSK_ONLY)
) -> dict[str, Any]:
    """The bookings still to come of the person present at the kiosk (proof as for records)."""
    return own_bookings.list_own(hall_of(request), caller, id_number=body.id_number, name=body.name,
                                 proof=body.proof, lang=lang)


@router.post("/bookings/{booking_id}/move", status_code=201, response_model=MovedBooking)
async def move_booking(
    body: MoveBody,
    request: Request,
    booking_id: str = BOOKING_ID,
    lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(KIOSK_ONLY),
) -> Response:
    """Move the person's booking to another slot of its service by the rules of a new booking: answers
    the new booking (new id and check-in code) that replaces it."""
    hall = hall_of(request)
    prepare = partial(
        own_bookings.move, hall, caller, booking_id, slot_id=body.slot_id, id_number=body.id_number,
        name=body.name, proof=body.proof, lang=lang,
    )
    return await create_in_writer(hall, request, caller, body, lambda: answered_as(MovedBooking, prepare()))


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
    return await create_in_writer(hall, request, caller, body, lambda: answered_as(TicketAnswer, prepare()))
