"""Proof that the person is at the kiosk (DESIGN §4.5), checked in one place for every records request:
a card the kiosk read, a one-time code sent to the phone on file, or an e-ID signed by a trusted issuer."""

from __future__ import annotations

import hmac
from datetime import timedelta

from hall_contract.identity import CardProof, CodeProof, EidProof
from hall_server.identity.eid import EidInvalid, verify_token
from hall_server.people.adapter import normal_name, same_name
from hall_server.state.hall_state import HallState
from hall_server.store import presence
from hall_server.usecases.caller import Caller
from hall_server.usecases.refusal import Refusal

MAX_ATTEMPTS = 5
# A verified code keeps standing for its person at its kiosk for about one visit, so the certificate
# asked right after the records (or another kind) needs no second code.
VERIFIED_FOR = timedelta(minutes=10)
# Compared against when nobody is on file, so an unknown person costs the same work as a wrong name.
_NOBODY = "\u3007" * 3

Proof = CardProof | CodeProof | EidProof


def not_verified() -> Refusal:
    """The one refusal for a wrong name, an unknown person, a wrong code and a bad or expired e-ID."""
    return Refusal("identity_not_verified", "the identity could not be verified")


def person_digest(hall: HallState, id_number: str, name: str) -> str:
    """The keyed digest a challenge keeps of whom it was asked for."""
    return hall.identity.digest("person", id_number.strip().upper(), normal_name(name).decode("utf-8"))


def name_on_file_matches(hall: HallState, id_number: str, name: str) -> bool:
    """Whether ``name`` is that of the person on file, in the same work whether or not anyone is."""
    person = hall.identity.people.find(id_number)
    matches = same_name(name, person.name if person is not None else _NOBODY)
    return person is not None and matches


def _verify_code(hall: HallState, caller: Caller, id_number: str, name: str, proof: CodeProof) -> None:
    kit = hall.identity
    now = hall.now()
    asked_for = person_digest(hall, id_number, name)
    outcome = "wrong"
    with hall.db.write() as conn:
        row = presence.challenge(conn, proof.challenge_id)
        kiosk = caller.kiosk.name if caller.kiosk is not None else ""
        if row is None or not hmac.compare_digest(row.kiosk, kiosk):
            outcome = "wrong"
        elif row.attempts >= MAX_ATTEMPTS:
            outcome = "expired"
        elif row.used_at is not None:
            # Reuse within the visit: the same code, person and kiosk; no new attempt unless it is wrong.
            if now >= row.used_at + VERIFIED_FOR:
                outcome = "expired"
            elif (hmac.compare_digest(row.code_digest, kit.digest("code", row.id, proof.code))
                  and hmac.compare_digest(row.person_digest, asked_for)):
                outcome = "ok"
            else:
                presence.count_attempt(conn, row.id)
        elif now >= row.expires_at:
            outcome = "expired"
        else:
            presence.count_attempt(conn, row.id)
            code_ok = hmac.compare_digest(row.code_digest, kit.digest("code", row.id, proof.code))
            person_ok = hmac.compare_digest(row.person_digest, asked_for)
            if code_ok and person_ok and row.viable and presence.use_challenge(conn, row.id, now):
                outcome = "ok"
    if outcome == "expired":
        raise Refusal("challenge_expired", "the code has expired or was used up; ask for a new one")
    if outcome != "ok":
        raise not_verified()


def _verify_eid(hall: HallState, id_number: str, name: str, proof: EidProof) -> None:
    try:
        claims = verify_token(proof.token, hall.identity.issuers, hall.now())
    except EidInvalid:
        claims = None
    same_id = claims is not None and hmac.compare_digest(
        claims.id_number.strip().upper().encode(), id_number.strip().upper().encode())
    on_file = name_on_file_matches(hall, id_number, name)
    if not (same_id and on_file):
        raise not_verified()


def verify_presence(hall: HallState, caller: Caller, id_number: str, name: str, proof: Proof | None) -> str:
    """Check that the person ``id_number`` / ``name`` is at the caller's kiosk; answers the proof's type.

    Refusal ``proof_required`` (no proof, or a card attested by anyone but a kiosk),
    ``identity_not_verified`` (one answer for every failure below) or ``challenge_expired`` (the code's
    challenge is past its 5 minutes unverified, verified more than 10 minutes ago, or out of attempts:
    the kiosk offers a new code).
    """
    if proof is None:
        raise Refusal("proof_required", "records need a proof that the person is present")
    if isinstance(proof, CardProof):
        # The kiosk attests that its reader read this card during this visit; the name is the chip's.
        if caller.kiosk is None:
            raise Refusal("proof_required", "only a kiosk can attest a card")
        return "card"
    if isinstance(proof, CodeProof):
        _verify_code(hall, caller, id_number, name, proof)
        return "code"
    _verify_eid(hall, id_number, name, proof)
    return "eid"
