"""Booking routes: create (``POST /bookings``), read, cancel, and check in for a ticket."""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from hall_server.api.auth import KIOSK_OR_STAFF, Caller, hall_of
from hall_server.api.fields import Text
from hall_server.api.languages import Lang
from hall_server.middleware.idempotency import create_in_writer
from hall_server.usecases import bookings, check_in

router = APIRouter(tags=["bookings"])
BOOKING_ID = Path(min_length=3, max_length=40, pattern=r"^b_[A-Za-z0-9_-]+$")


class Citizen(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: Text = Field(max_length=32)
    name: Text = Field(min_length=1, max_length=60)
    phone: Text | None = Field(default=None, max_length=20, pattern=r"^\+?[0-9 -]{3,20}$")


class BookingBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service: Text = Field(min_length=1, max_length=32)
    slot_id: Text = Field(min_length=1, max_length=120)
    citizen: Citizen
    channel: Literal["kiosk", "web", "phone", "desk"] = "kiosk"


class CheckInBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    check_in_code: Text | None = Field(default=None, pattern=r"^[0-9]{6}$")
    # Any scanned text: the hall, not the kiosk, tells a booking QR code from anything else (the
    # body limit bounds its length; parse_qr_payload refuses the rest as invalid_qr_payload).
    qr_payload: str | None = None
    id_number: Text | None = Field(default=None, max_length=32)
    site: Text | None = Field(default=None, min_length=1, max_length=32)

    @model_validator(mode="after")
    def _exactly_one(self) -> CheckInBody:
        given = [v for v in (self.check_in_code, self.qr_payload, self.id_number) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of check_in_code, qr_payload, id_number")
        return self


@router.post("/bookings", status_code=201)
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
    return await create_in_writer(hall, request, caller, body, prepare)


@router.get("/bookings/{booking_id}")
def get_booking(
    request: Request,
    booking_id: str = BOOKING_ID,
    lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> dict[str, Any]:
    return bookings.booking_answer(hall_of(request), caller, booking_id, lang)


@router.delete("/bookings/{booking_id}")
def cancel_booking(
    request: Request,
    booking_id: str = BOOKING_ID,
    lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> dict[str, Any]:
    """Cancel a booking and free its place (cancelling twice answers the cancelled booking)."""
    return bookings.cancel_booking(hall_of(request), caller, booking_id, lang)


@router.post("/bookings/check-in", status_code=201)
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
    return await create_in_writer(hall, request, caller, body, prepare)
