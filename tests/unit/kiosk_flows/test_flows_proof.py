"""Proof of presence for records (DESIGN §4.5): which proof the kiosk sends, how the client asks for
a one-time code and carries the proof, and what never reaches the log."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from hall_contract import Challenge, Proof, RecordQueryBody
from kiosk.flows.proof import ProofFlow, card_proof, code_proof, eid_proof
from kiosk.flows.records import RecordsFlow
from kiosk.flows.words import error_text
from kiosk.hall_client import HallClient, HallError
from kiosk.i18n import LANGUAGES
from kiosk.session import Identity
from tests.unit.kiosk_flows.test_flows_hall_client import ScriptedServer

ID_NUMBER, NAME = "440106198503121237", "张伟"
RECORDS = {"kind": "social_insurance_payments", "title": "社保", "columns": [], "rows": [], "total_rows": 0,
           "generated_at": "2026-11-25T10:00:00+08:00"}
CHALLENGE = Challenge(challenge_id="ch_1", masked_phone="138****1234", expires_in_s=300)




def test_only_a_card_read_in_this_visit_is_a_card_proof() -> None:
    card = object()
    assert card_proof(Identity(NAME, ID_NUMBER, "id_card", card=card)) is not None
    # The same number and name typed, or a card identity whose card is not held: no proof.
    assert card_proof(Identity(NAME, ID_NUMBER, "typed")) is None
    assert card_proof(Identity(NAME, ID_NUMBER, "id_card")) is None
    assert card_proof(Identity("", "", "qr", qr_payload="GOVBK1:b_1:482913")) is None
    assert card_proof(None) is None


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "12345X", "１２３４５６"])
def test_a_code_proof_needs_six_digits(typed: str) -> None:
    assert code_proof(CHALLENGE, typed) is None


def test_a_code_proof_names_its_challenge() -> None:
    proof = code_proof(CHALLENGE, "024680")
    assert proof is not None and (proof.challenge_id, proof.code) == ("ch_1", "024680")


def test_an_eid_proof_is_the_scanned_text() -> None:
    proof = eid_proof(b"  EID1.abc.def\r\n")
    assert proof is not None and proof.token == "EID1.abc.def"
    assert eid_proof(b"   ") is None and eid_proof(b"x" * 2049) is None


@given(st.binary(max_size=3000))
def test_any_scan_is_a_valid_eid_proof_or_none(payload: bytes) -> None:
    proof = eid_proof(payload)
    if proof is not None:
        # What the kiosk sends always fits the contract's body: the hall refuses only on its merits.
        body = RecordQueryBody(kind="k", id_number=ID_NUMBER, name=NAME, proof=proof)
        assert body.proof == proof


@given(st.text(max_size=10))
def test_any_typed_code_is_a_valid_code_proof_or_none(typed: str) -> None:
    proof = code_proof(CHALLENGE, typed)
    if proof is not None:
        assert TypeAdapter(Proof).validate_python(proof.model_dump()) == proof


def test_the_client_sends_the_proof_with_the_records_query(
    server: ScriptedServer, client: HallClient
) -> None:
    server.script = [(200, RECORDS), (200, RECORDS), (200, RECORDS)]
    client.query_records("social_insurance_payments", ID_NUMBER, NAME, proof=card_proof(
        Identity(NAME, ID_NUMBER, "id_card", card=object())))
    client.query_records("social_insurance_payments", ID_NUMBER, NAME, proof=code_proof(CHALLENGE, "024680"))
    client.query_records("social_insurance_payments", ID_NUMBER, NAME, proof=eid_proof(b"EID1.t"))
    proofs = [seen["body"]["proof"] for seen in server.seen]
    assert proofs == [{"type": "card"}, {"type": "code", "challenge_id": "ch_1", "code": "024680"},
                      {"type": "eid", "token": "EID1.t"}]
    assert all(seen["path"] == "/api/v1/records/query" for seen in server.seen)


def test_without_a_proof_none_is_sent_and_the_refusal_comes_back(server: ScriptedServer,
                                                                 client: HallClient) -> None:
    server.script = [(403, {"error": {"code": "proof_required", "message": "no proof"}})]
    with pytest.raises(HallError) as refused:
        client.query_records("social_insurance_payments", ID_NUMBER, NAME)
    assert refused.value.code == "proof_required" and "proof" not in server.seen[0]["body"]


def test_the_challenge_is_asked_with_the_identity_and_parsed(
    server: ScriptedServer, client: HallClient
) -> None:
    server.script = [(200, {"challenge_id": "ch_9", "masked_phone": "139****0000", "expires_in_s": 300})]
    challenge = client.identity_challenge(ID_NUMBER, NAME)
    assert (challenge.challenge_id, challenge.masked_phone) == ("ch_9", "139****0000")
    [seen] = server.seen
    assert (seen["method"], seen["path"]) == ("POST", "/api/v1/identity/challenge")
    assert seen["body"] == {"id_number": ID_NUMBER, "name": NAME}


def test_an_expired_challenge_is_its_own_refusal(server: ScriptedServer, client: HallClient) -> None:
    server.script = [(410, {"error": {"code": "challenge_expired", "message": "used up"}})]
    with pytest.raises(HallError) as refused:
        client.query_records("k", ID_NUMBER, NAME, proof=code_proof(CHALLENGE, "111111"))
    assert (refused.value.code, refused.value.status) == ("challenge_expired", 410)
    assert len(server.seen) == 1


def test_the_kiosks_budget_is_refused_at_once_not_retried(server: ScriptedServer, client: HallClient) -> None:
    server.script = [(429, {"error": {"code": "kiosk_quota", "message": "budget"}})] * 3
    with pytest.raises(HallError) as refused:
        client.query_records("k", ID_NUMBER, NAME, proof=eid_proof(b"EID1.t"))
    assert refused.value.code == "kiosk_quota" and len(server.seen) == 1


def test_a_plain_rate_limit_is_still_retried(server: ScriptedServer, client: HallClient) -> None:
    server.script = [(429, {"error": {"code": "rate_limited", "message": "slow down"}}), (200, RECORDS)]
    client.query_records("k", ID_NUMBER, NAME, proof=eid_proof(b"EID1.t"))
    assert len(server.seen) == 2


def test_codes_tokens_and_identities_never_reach_the_log(
    server: ScriptedServer, client: HallClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = "EID1.eyJzZWNyZXQiOiJ5ZXMifQ.c2ln"
    answer = {"challenge_id": "ch_secret_9", "masked_phone": "139****0000", "expires_in_s": 300}
    server.script = [(200, answer), (200, RECORDS), (200, RECORDS)]
    challenge = client.identity_challenge(ID_NUMBER, NAME)
    client.query_records("k", ID_NUMBER, NAME, proof=code_proof(challenge, "864209"))
    client.query_records("k", ID_NUMBER, NAME, proof=eid_proof(token.encode()))
    text = caplog.text
    for secret in (ID_NUMBER, NAME, "864209", token, "ch_secret_9"):
        assert secret not in text, secret
    assert "4401**********1237" in text and "with code proof" in text and "with eid proof" in text


class FakeHall:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    async def call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    def identity_challenge(self, id_number: str, name: str) -> Challenge:
        self.calls.append(("challenge", (id_number, name)))
        return CHALLENGE

    def query_records(self, kind: str, id_number: str, name: str, **kwargs: Any) -> Any:
        from hall_contract import RecordsResult

        self.calls.append(("records", kwargs.get("proof")))
        return RecordsResult.model_validate(RECORDS)


async def test_the_flows_pass_the_proof_through_to_the_hall() -> None:
    hall = FakeHall()
    identity = Identity(NAME, ID_NUMBER, "typed")
    challenge = await ProofFlow(hall).send_code(identity)  # type: ignore[arg-type]
    proof = code_proof(challenge, "135790")
    await RecordsFlow(hall).query("social_insurance_payments", identity, "zh_Hans", proof)  # type: ignore[arg-type]
    assert hall.calls == [("challenge", (ID_NUMBER, NAME)), ("records", proof)]


@pytest.mark.parametrize(
    "code", ["proof_required", "identity_not_verified", "challenge_expired", "kiosk_quota", "wrong_code"]
)
def test_every_proof_refusal_has_plain_words_in_each_language(code: str) -> None:
    texts = {lang: error_text(code, lang) for lang in LANGUAGES}
    assert texts["en"] != error_text(None, "en")
    assert texts["zh_Hans"] != texts["en"] and texts["zh_Hant"] != texts["en"]
    assert texts["zh_Hans"] != texts["zh_Hant"]
