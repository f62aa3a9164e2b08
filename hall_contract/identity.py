"""Proof that the person is at the kiosk (DESIGN §4.5): the proof a records request carries, and the
one-time-code challenge sent to the phone on file."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from hall_contract.base import Answer, Body, Text


class CardProof(Body):
    """The kiosk's reader read this person's card during this visit; the kiosk attests it."""

    type: Literal["card"]


class CodeProof(Body):
    """The one-time code the hall sent to the phone on file for ``challenge_id``."""

    type: Literal["code"]
    challenge_id: Text = Field(min_length=1, max_length=64)
    code: str = Field(pattern=r"^[0-9]{6}$")


class EidProof(Body):
    """An electronic ID token (the QR of a phone's e-ID), signed by an issuer the hall trusts."""

    type: Literal["eid"]
    token: Text = Field(min_length=1, max_length=2048)


Proof = Annotated[CardProof | CodeProof | EidProof, Field(discriminator="type")]


class ChallengeBody(Body):
    """``POST /identity/challenge``: send a one-time code to the phone on file of this person."""

    id_number: Text = Field(max_length=32)
    name: Text = Field(min_length=1, max_length=60)


class Challenge(Answer):
    """The same shape, whether or not the person exists or the name matches: nothing is learnt from it."""

    challenge_id: str
    masked_phone: str
    expires_in_s: int
