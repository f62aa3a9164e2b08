"""Proof of presence for records (DESIGN §4.5): card, one-time code through the demo SMS file, e-ID; one
refusal for a wrong name and an unknown person."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hall_contract import Challenge

from .conftest import Hall
from .identity_helpers import (
    IDENTITY,
    LIU_ZHE,
    NOBODY,
    ZHANG_WEI,
    challenge,
    eid,
    last_code,
    records,
    refusal,
    sms_lines,
)

pytestmark = pytest.mark.db


@pytest.fixture
def hall(hall_with: Callable[..., Hall]) -> Hall:
    return hall_with(**IDENTITY)


def test_records_without_a_proof_are_refused(hall: Hall) -> None:
    reply = records(hall.kiosk(), *ZHANG_WEI, None)
    assert refusal(reply) == (403, "proof_required")


def test_a_card_read_at_the_kiosk_unlocks_records_with_the_chips_name(hall: Hall) -> None:
    # The kiosk attests the card; the hall takes the name as given (docs/security.md says the limit).
    reply = records(hall.kiosk(), *ZHANG_WEI, {"type": "card"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["total_rows"] > 0


def test_a_card_proof_from_staff_is_not_a_proof(hall: Hall) -> None:
    reply = records(hall.staff("admin"), *ZHANG_WEI, {"type": "card"})
    assert reply.status_code == 403


def test_code_flow_end_to_end_through_the_demo_sms_file(hall: Hall, tmp_path: Path) -> None:
    kiosk = hall.kiosk()
    asked = challenge(kiosk, *ZHANG_WEI)
    assert asked.status_code == 200, asked.text
    answer = asked.json()
    Challenge.model_validate(answer)
    assert set(answer) == {"challenge_id", "masked_phone", "expires_in_s"}
    assert answer["expires_in_s"] == 300 and answer["masked_phone"] == "*******1237"
    [line] = sms_lines(tmp_path)
    assert "17000001237" in line and "4401**********1237" in line and ZHANG_WEI[0] not in line
    assert (tmp_path / "demo-sms.log").stat().st_mode & 0o077 == 0
    proof = {"type": "code", "challenge_id": answer["challenge_id"], "code": last_code(tmp_path)}
    reply = records(kiosk, *ZHANG_WEI, proof)
    assert reply.status_code == 200, reply.text
    # Verified once, it stands for the rest of the visit (another kind, the certificate) ...
    assert records(kiosk, *ZHANG_WEI, proof).status_code == 200
    # ... for the same person only, and not once the visit-length window is over.
    assert refusal(records(kiosk, *LIU_ZHE, proof)) == (403, "identity_not_verified")
    hall.clock.advance(timedelta(minutes=10))
    assert refusal(records(kiosk, *ZHANG_WEI, proof)) == (410, "challenge_expired")


def test_a_verified_code_opens_the_certificate_right_after_the_records(hall: Hall, tmp_path: Path) -> None:
    kiosk = hall.kiosk()
    challenge_id = challenge(kiosk, *ZHANG_WEI).json()["challenge_id"]
    proof = {"type": "code", "challenge_id": challenge_id, "code": last_code(tmp_path)}
    assert records(kiosk, *ZHANG_WEI, proof).status_code == 200
    # Past the code's own 5 minutes but within the visit: the verified code still stands.
    hall.clock.advance(timedelta(minutes=6))
    body = {"kind": "social_insurance_payments", "id_number": ZHANG_WEI[0], "name": ZHANG_WEI[1],
            "proof": proof}
    reply = kiosk.post("/records/certificate", json=body)
    assert reply.status_code in (200, 503), reply.text
    if reply.status_code == 503:
        # A hall without a signing key refuses for that reason, never for the proof.
        assert reply.json()["error"]["code"] == "signing_not_configured"
    else:
        assert reply.headers["content-type"] == "application/pdf"
    # Another kiosk cannot reuse it.
    from hall_server.demo import station_token

    station = hall.client(station_token(tmp_path))
    assert refusal(records(station, *ZHANG_WEI, proof)) == (403, "identity_not_verified")


def test_wrong_codes_against_a_verified_challenge_still_count(hall: Hall, tmp_path: Path) -> None:
    kiosk = hall.kiosk()
    challenge_id = challenge(kiosk, *ZHANG_WEI).json()["challenge_id"]
    code = last_code(tmp_path)
    right = {"type": "code", "challenge_id": challenge_id, "code": code}
    assert records(kiosk, *ZHANG_WEI, right).status_code == 200
    wrong = {**right, "code": f"{(int(code) + 3) % 1_000_000:06d}"}
    for _ in range(4):
        assert refusal(records(kiosk, *ZHANG_WEI, wrong)) == (403, "identity_not_verified")
    assert refusal(records(kiosk, *ZHANG_WEI, right)) == (410, "challenge_expired")


def test_a_wrong_code_is_refused_and_the_right_one_still_works(hall: Hall, tmp_path: Path) -> None:
    kiosk = hall.kiosk()
    challenge_id = challenge(kiosk, *ZHANG_WEI).json()["challenge_id"]
    code = last_code(tmp_path)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    bad = {"type": "code", "challenge_id": challenge_id, "code": wrong}
    assert refusal(records(kiosk, *ZHANG_WEI, bad)) == (403, "identity_not_verified")
    good = {"type": "code", "challenge_id": challenge_id, "code": code}
    assert records(kiosk, *ZHANG_WEI, good).status_code == 200


def test_a_code_for_another_person_or_from_another_kiosk_is_refused(hall: Hall, tmp_path: Path) -> None:
    from hall_server.demo import station_token

    kiosk = hall.kiosk()
    challenge_id = challenge(kiosk, *ZHANG_WEI).json()["challenge_id"]
    proof = {"type": "code", "challenge_id": challenge_id, "code": last_code(tmp_path)}
    assert refusal(records(kiosk, *LIU_ZHE, proof)) == (403, "identity_not_verified")
    station = hall.client(station_token(tmp_path))
    assert refusal(records(station, *ZHANG_WEI, proof)) == (403, "identity_not_verified")


def test_an_expired_code_is_refused_so_the_kiosk_offers_a_new_one(hall: Hall, tmp_path: Path) -> None:
    kiosk = hall.kiosk()
    challenge_id = challenge(kiosk, *ZHANG_WEI).json()["challenge_id"]
    proof = {"type": "code", "challenge_id": challenge_id, "code": last_code(tmp_path)}
    hall.clock.advance(timedelta(minutes=5))
    assert refusal(records(kiosk, *ZHANG_WEI, proof)) == (410, "challenge_expired")


def test_five_wrong_codes_use_the_challenge_up(hall: Hall, tmp_path: Path) -> None:
    kiosk = hall.kiosk()
    challenge_id = challenge(kiosk, *ZHANG_WEI).json()["challenge_id"]
    code = last_code(tmp_path)
    wrong = {"type": "code", "challenge_id": challenge_id, "code": f"{(int(code) + 7) % 1_000_000:06d}"}
    for _ in range(5):
        assert refusal(records(kiosk, *ZHANG_WEI, wrong)) == (403, "identity_not_verified")
    right = {"type": "code", "challenge_id": challenge_id, "code": code}
    assert refusal(records(kiosk, *ZHANG_WEI, right)) == (410, "challenge_expired")


def test_a_valid_eid_unlocks_records(hall: Hall, tmp_path: Path) -> None:
    proof = eid(tmp_path, *ZHANG_WEI, hall.clock.now())
    reply = records(hall.kiosk(), *ZHANG_WEI, proof)
    assert reply.status_code == 200, reply.text


def _tampered(token: str) -> str:
    head, payload, signature = token.split(".")
    import base64

    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["exp"] += 86400 * 365
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{signature}"


def test_tampered_expired_foreign_and_mismatched_eids_are_refused_alike(hall: Hall, tmp_path: Path) -> None:
    kiosk = hall.kiosk()
    now = hall.clock.now()
    good = eid(tmp_path, *ZHANG_WEI, now)["token"]
    cases = {
        "tampered": {"type": "eid", "token": _tampered(good)},
        "expired": eid(tmp_path, *ZHANG_WEI, now - timedelta(days=31), days=30),
        "other issuer": eid(tmp_path, *ZHANG_WEI, now, key=Ed25519PrivateKey.generate()),
        "id mismatch": eid(tmp_path, *LIU_ZHE, now),
        "garbage": {"type": "eid", "token": "EID1.not.atoken"},
    }
    bodies = set()
    for what, proof in cases.items():
        reply = records(kiosk, *ZHANG_WEI, proof)
        assert refusal(reply) == (403, "identity_not_verified"), what
        bodies.add(reply.text)
    assert len(bodies) == 1


def test_a_wrong_name_and_an_unknown_person_get_the_same_answers(hall: Hall, tmp_path: Path) -> None:
    kiosk = hall.kiosk()
    now = hall.clock.now()
    wrong_name = (ZHANG_WEI[0], "张三")
    unknown = (NOBODY, "张三")
    # e-ID: a valid token whose holder is not the person on file, or nobody on file.
    by_eid = [records(kiosk, *who, eid(tmp_path, *who, now)) for who in (wrong_name, unknown)]
    assert [refusal(r) for r in by_eid] == [(403, "identity_not_verified")] * 2
    assert by_eid[0].text == by_eid[1].text
    # Challenges: the same shape, nothing sent, and the code never works.
    asked = [challenge(kiosk, *who) for who in (wrong_name, unknown)]
    assert [r.status_code for r in asked] == [200, 200]
    assert [set(r.json()) for r in asked] == [{"challenge_id", "masked_phone", "expires_in_s"}] * 2
    assert sms_lines(tmp_path) == []
    # The stand-in phone is the same every time it is asked for.
    assert challenge(kiosk, *unknown).json()["masked_phone"] == asked[1].json()["masked_phone"]
    refused = [
        records(kiosk, *who, {"type": "code", "challenge_id": r.json()["challenge_id"], "code": "123456"})
        for who, r in zip((wrong_name, unknown), asked, strict=True)
    ]
    assert [refusal(r) for r in refused] == [(403, "identity_not_verified")] * 2
    assert refused[0].text == refused[1].text


def test_without_an_sms_gateway_challenges_are_refused_for_everyone(hall_with: Callable[..., Hall]) -> None:
    hall = hall_with()
    for who in (ZHANG_WEI, (NOBODY, "张三")):
        assert refusal(challenge(hall.kiosk(), *who)) == (503, "sms_unavailable")
