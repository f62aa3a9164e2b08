"""A citizen's own bookings at a kiosk: listing them, cancelling one and moving one to another slot,
each with the proof that the person is present (DESIGN §4.5)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from hall_contract.base import Answer, Body, Text
from hall_contract.bookings import Booking
from hall_contract.identity import Proof


class OwnerBody(Body):
    """Who the booking belongs to, with the proof that they are at the kiosk: ``POST /bookings/mine``
    and the body of ``DELETE /bookings/{id}`` from a kiosk."""

    id_number: Text = Field(max_length=32)
    name: Text = Field(min_length=1, max_length=60)
    proof: Proof | None = None


class MoveBody(OwnerBody):
    """``POST /bookings/{id}/move``: the new slot (of the same service), as ``POST /bookings`` names it."""

    slot_id: Text = Field(min_length=1, max_length=120)


class HeldBooking(Booking):
    """One of the person's active bookings, with what the kiosk may offer for it."""

    session_name: str = ""  # the site's name of the booked session in the asked language
    # Whether it can still be moved (until its own slot's booking cut-off), and until when.
    movable: bool = False
    move_cutoff: dt.datetime | None = None


class OwnBookings(Answer):
    """The person's bookings at the kiosk's site that are still to come, earliest first."""

    bookings: tuple[HeldBooking, ...] = ()


class MovedBooking(Booking):
    """The booking in its new slot: a new id, check-in code and QR; ``replaces`` is the cancelled one."""

    session_name: str = ""
    replaces: str = ""
