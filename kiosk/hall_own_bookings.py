"""The hall's endpoints for a citizen's own bookings (docs/api.md): list, cancel, move; each carries
whose bookings they are with the proof that the person is at the kiosk. Beside kiosk/hall_client.py,
through its one call path."""

from __future__ import annotations

import logging

from citizen_id.masking import mask_id_number
from hall_contract import Booking, MoveBody, MovedBooking, OwnBookings, OwnerBody, Proof
from kiosk.hall_client import HallClient, api_lang

log = logging.getLogger(__name__)


def _segment(booking_id: str) -> str:
    # Booking ids are the hall's own ([A-Za-z0-9_-]); anything else must not reach the path.
    if not booking_id or not all(c.isascii() and (c.isalnum() or c in "_-") for c in booking_id):
        raise ValueError("not a booking id")
    return booking_id


def own_bookings(hall: HallClient, id_number: str, name: str, proof: Proof | None,
                 lang: str = "zh_Hans") -> OwnBookings:
    """The person's bookings still to come at this kiosk's site (the hall refuses proof_required
    without a proof)."""
    body = OwnerBody.model_construct(id_number=id_number, name=name, proof=proof)
    log.info("own bookings of %s with %s proof", mask_id_number(id_number),
             proof.type if proof is not None else "no")
    return hall.request("POST", "/bookings/mine", OwnBookings, params={"lang": api_lang(lang)}, body=body)


def cancel_own_booking(hall: HallClient, booking_id: str, id_number: str, name: str, proof: Proof | None,
                       *, idempotency_key: str, lang: str = "zh_Hans") -> Booking:
    body = OwnerBody.model_construct(id_number=id_number, name=name, proof=proof)
    log.info("cancelling booking %s of %s", booking_id, mask_id_number(id_number))
    return hall.request("DELETE", f"/bookings/{_segment(booking_id)}", Booking,
                        params={"lang": api_lang(lang)}, body=body, idempotency_key=idempotency_key)


def move_own_booking(hall: HallClient, booking_id: str, slot_id: str, id_number: str, name: str,
                     proof: Proof | None, *, idempotency_key: str, lang: str = "zh_Hans") -> MovedBooking:
    body = MoveBody.model_construct(slot_id=slot_id, id_number=id_number, name=name, proof=proof)
    log.info("moving booking %s to %s for %s", booking_id, slot_id, mask_id_number(id_number))
    return hall.request("POST", f"/bookings/{_segment(booking_id)}/move", MovedBooking,
                        params={"lang": api_lang(lang)}, body=body, idempotency_key=idempotency_key)
