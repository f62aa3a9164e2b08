"""Proof that the citizen is at the kiosk, which records need (DESIGN §4.5): the card on the reader,
a one-time code sent to the phone on file, or an electronic ID's QR code."""

from __future__ import annotations

import logging
import re

from pydantic import ValidationError

from citizen_id.masking import mask_id_number
from hall_contract import CardProof, Challenge, CodeProof, EidProof
from kiosk.hall_client import HallClient
from kiosk.session import Identity

log = logging.getLogger(__name__)

CODE_LENGTH = 6
# The longest e-ID token the contract accepts (hall_contract.identity.EidProof.token).
EID_MAX_CHARS = 2048
_CODE = re.compile(r"^[0-9]{6}$")


def card_proof(identity: Identity | None) -> CardProof | None:
    """The kiosk attests a card only when its reader read that card during this visit: a typed
    ID number and name (or a scanned booking code) never stand for the person."""
    if identity is not None and identity.source == "id_card" and identity.card is not None:
        return CardProof(type="card")
    return None


def code_proof(challenge: Challenge, code: str) -> CodeProof | None:
    """The code typed for ``challenge``; None until it has its six digits."""
    if not _CODE.match(code):
        return None
    return CodeProof(type="code", challenge_id=challenge.challenge_id, code=code)


def eid_proof(payload: bytes) -> EidProof | None:
    """An electronic ID's QR code as scanned; None for an empty or overlong read. Whether it is an
    e-ID at all, and whose, is the hall's to check (it holds the issuers' keys)."""
    token = payload.decode("utf-8", "replace").strip()
    if not token or len(token) > EID_MAX_CHARS:
        return None
    try:
        return EidProof(type="eid", token=token)
    except ValidationError:
        # Control characters: a misread, not a token.
        return None


class ProofFlow:
    """Asks the hall to send the one-time code."""

    def __init__(self, hall: HallClient) -> None:
        self.hall = hall

    async def send_code(self, identity: Identity) -> Challenge:
        log.info("one-time code asked for %s", mask_id_number(identity.id_number))
        return await self.hall.call(self.hall.identity_challenge, identity.id_number, identity.name)
