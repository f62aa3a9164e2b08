"""Bookings: the body of ``POST /bookings`` and of ``POST /bookings/check-in``, and a booking answered."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from hall_contract.base import Answer, Body, Text, TextOrEmpty


class ServiceRef(Answer):
    code: str = ""
    name: str = ""


class MaskedCitizen(Answer):
    name_masked: str = ""
    id_number_masked: str = ""


class Booking(Answer):
    id: str
    status: str = "booked"
    service: ServiceRef = ServiceRef()
    site: str = ""
    slot_id: str = ""
    start: dt.datetime
    end: dt.datetime
    session: str = "regular"
    check_in_code: str
    qr_payload: str
    citizen: MaskedCitizen = MaskedCitizen()
    channel: str = "kiosk"
    where: TextOrEmpty = ""
    ticket_id: str | None = None

    @property
    def service_code(self) -> str:
        return self.service.code

    @property
    def service_name(self) -> str:
        return self.service.name

    @property
    def name_masked(self) -> str:
        return self.citizen.name_masked

    @property
    def id_number_masked(self) -> str:
        return self.citizen.id_number_masked


class Citizen(Body):
    id_number: Text = Field(max_length=32)
    name: Text = Field(min_length=1, max_length=60)
    phone: Text | None = Field(default=None, max_length=20, pattern=r"^\+?[0-9 -]{3,20}$")


class BookingBody(Body):
    service: Text = Field(min_length=1, max_length=32)
    slot_id: Text = Field(min_length=1, max_length=120)
    citizen: Citizen
    channel: Literal["kiosk", "web", "phone", "desk"] = "kiosk"


class CheckInBody(Body):
    """Exactly one of a typed check-in code, any scanned text, or an ID number."""

    check_in_code: Text | None = Field(default=None, pattern=r"^[0-9]{6}$")
    # Any scanned text: the hall, not the kiosk, tells a booking QR code from anything else (the
    # body limit bounds its length; the hall refuses the rest as invalid_qr_payload).
    qr_payload: str | None = None
    id_number: Text | None = Field(default=None, max_length=32)
    site: Text | None = Field(default=None, min_length=1, max_length=32)

    @model_validator(mode="after")
    def _exactly_one(self) -> CheckInBody:
        given = [v for v in (self.check_in_code, self.qr_payload, self.id_number) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of check_in_code, qr_payload, id_number")
        return self
