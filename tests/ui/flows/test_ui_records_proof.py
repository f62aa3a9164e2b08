"""Records for a typed identity: a code sent to the phone or the electronic ID, never the number
alone (DESIGN §4.5). The hall is faked at the HallClient boundary (its answers as the contract
words them), except in the last test, which asks the real hall and needs its /identity/challenge."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from hall_contract import Challenge, RecordColumn, RecordsResult
from kiosk.hall_client import HallError
from kiosk.session import Identity

pytestmark = pytest.mark.ui

ZHANG_WEI = ("张伟", "440106198503121237")
GOOD_CODE = "246810"
EID_TOKEN = "EID1.eyJpZCI6IjQ0MDEwNjE5ODUwMzEyMTIzNyJ9.c2lnbmF0dXJl"
RESULT = RecordsResult(
    kind="social_insurance_payments", title="社会保险缴费记录",
    columns=(RecordColumn(key="month", label="缴费月份"), RecordColumn(key="amount", label="个人缴纳")),
    rows=tuple({"month": f"2026-{m:02d}", "amount": "784.00"} for m in range(10, 0, -1)),
    total_rows=10, generated_at="2026-11-25T10:00:00+08:00",
)


class FakeHall:
    """The hall's answers to the two calls of this flow; everything else goes to the real hall."""

    def __init__(self) -> None:
        self.challenges: list[tuple[str, str]] = []
        self.proofs: list[Any] = []
        self.expire_next = False
        self.quota = False

    def identity_challenge(self, id_number: str, name: str) -> Challenge:
        self.challenges.append((id_number, name))
        number = len(self.challenges)
        return Challenge(challenge_id=f"ch_{number}", masked_phone="138****1234", expires_in_s=300)

    def query_records(self, kind: str, id_number: str, name: str, **kwargs: Any) -> RecordsResult:
        proof = kwargs.get("proof")
        self.proofs.append(proof)
        if self.quota:
            raise HallError("kiosk_quota", status=429)
        if proof is None:
            raise HallError("proof_required", status=403)
        if proof.type == "code":
            if self.expire_next:
                self.expire_next = False
                raise HallError("challenge_expired", status=410)
            if (proof.challenge_id, proof.code) != (f"ch_{len(self.challenges)}", GOOD_CODE):
                raise HallError("identity_not_verified", status=403)
        if proof.type == "eid" and proof.token != EID_TOKEN:
            raise HallError("identity_not_verified", status=403)
        return RESULT.model_copy(update={"kind": kind})


@pytest.fixture
def hall(kiosk, monkeypatch) -> FakeHall:
    fake = FakeHall()
    monkeypatch.setattr(kiosk.app.hall, "identity_challenge", fake.identity_challenge)
    monkeypatch.setattr(kiosk.app.hall, "query_records", fake.query_records)
    return fake


def _typed_records(kiosk):
    kiosk.start_visit()
    kiosk.app.session.identity = Identity(name=ZHANG_WEI[0], id_number=ZHANG_WEI[1], source="typed")
    kiosk.app.go("records")
    screen = kiosk.wait_for_screen("records")
    kiosk.tap(screen.kind_buttons["social_insurance_payments"])
    kiosk.wait_until(lambda: screen.step == "proof", what="the proof choice")
    return screen


def _type_code(kiosk, screen, code):
    for digit in code:
        kiosk.tap(kiosk.find(text=digit, root=screen.code_pad))


def test_a_typed_identity_is_asked_for_a_code_and_a_wrong_one_can_be_retried(kiosk, hall, flow_helpers):
    screen = _typed_records(kiosk)
    # The number and name alone were never sent for records.
    assert hall.proofs == []
    flow_helpers.shots(kiosk, "records_proof", screen.render)
    kiosk.tap(screen.code_button)
    kiosk.wait_until(lambda: screen.step == "code" and not screen.busy, what="the code keypad")
    assert hall.challenges == [ZHANG_WEI[::-1]]
    assert "验证码已发送到 138****1234。" in kiosk.texts()
    assert kiosk.app.session.challenge.challenge_id == "ch_1"
    assert not screen.code_pad.allow_x and screen.code_pad.max_length == 6
    _type_code(kiosk, screen, "2468")
    assert screen.confirm_button.disabled
    flow_helpers.shots(kiosk, "records_code", screen.render)
    assert screen.code_pad.value == "2468", "the typed digits survive a language switch"
    _type_code(kiosk, screen, "99")
    kiosk.tap(screen.confirm_button)
    kiosk.wait_until(lambda: screen.message == "验证码不正确，请核对后重新输入。", what="the wrong code said")
    assert screen.step == "code" and screen.code_pad.value == ""
    kiosk.screenshot("flows_records_code_wrong_zh_Hans")
    _type_code(kiosk, screen, GOOD_CODE)
    kiosk.tap(screen.confirm_button)
    kiosk.wait_until(lambda: screen.step == "list" and not screen.busy, what="the records")
    assert [p.type for p in hall.proofs] == ["code", "code"]
    assert (hall.proofs[-1].challenge_id, hall.proofs[-1].code) == ("ch_1", GOOD_CODE)
    # Another kind in the same visit goes with the same proof, kept in the Session only.
    kiosk.tap(kiosk.find(id="back_button"))
    kiosk.tap(screen.kind_buttons["medical_insurance_certificate"])
    kiosk.wait_until(lambda: screen.step == "list" and not screen.busy, what="the second kind")
    assert hall.proofs[-1].code == GOOD_CODE
    kiosk.app.end_visit()
    assert kiosk.app.session.proof is None and kiosk.app.session.challenge is None


def test_an_expired_code_offers_a_new_one(kiosk, hall):
    screen = _typed_records(kiosk)
    kiosk.tap(screen.code_button)
    kiosk.wait_until(lambda: screen.step == "code" and not screen.busy, what="the code keypad")
    hall.expire_next = True
    _type_code(kiosk, screen, GOOD_CODE)
    kiosk.tap(screen.confirm_button)
    kiosk.wait_until(lambda: screen.message == "验证码已过期，请重新获取验证码。", what="the expiry said")
    assert kiosk.app.session.challenge is None and screen.confirm_button.disabled
    kiosk.tap(screen.new_code_button)
    kiosk.wait_until(lambda: kiosk.app.session.challenge is not None and not screen.busy, what="a new code")
    assert kiosk.app.session.challenge.challenge_id == "ch_2"
    _type_code(kiosk, screen, GOOD_CODE)
    kiosk.tap(screen.confirm_button)
    kiosk.wait_until(lambda: screen.step == "list" and not screen.busy, what="the records")
    assert hall.proofs[-1].challenge_id == "ch_2"


def test_an_electronic_id_scanned_opens_the_records_and_is_never_logged(kiosk, hall, flow_helpers, caplog):
    caplog.set_level(logging.DEBUG)
    screen = _typed_records(kiosk)
    kiosk.tap(screen.eid_button)
    kiosk.wait_until(lambda: screen.step == "eid", what="the e-ID step")
    flow_helpers.shots(kiosk, "records_eid", screen.render)
    kiosk.scan("EID1.forged")
    kiosk.wait_until(lambda: "无法确认您的身份" in screen.message, timeout=15, what="a refused e-ID")
    assert screen.step == "eid"
    kiosk.scan(EID_TOKEN)
    kiosk.wait_until(lambda: screen.step == "list" and not screen.busy, timeout=15, what="the records")
    assert hall.proofs[-1].type == "eid" and hall.proofs[-1].token == EID_TOKEN
    assert hall.challenges == []
    assert EID_TOKEN not in caplog.text and ZHANG_WEI[1] not in caplog.text


def test_placing_the_card_on_the_proof_step_opens_the_records(kiosk, hall):
    screen = _typed_records(kiosk)
    kiosk.place_card("zhang_wei")
    kiosk.wait_until(lambda: screen.step == "list" and not screen.busy, timeout=20, what="the records")
    assert [p.type for p in hall.proofs] == ["card"]
    assert kiosk.app.session.identity.source == "id_card"


def test_the_kiosks_budget_is_said_plainly(kiosk, hall):
    screen = _typed_records(kiosk)
    hall.quota = True
    kiosk.tap(screen.eid_button)
    kiosk.scan(EID_TOKEN)
    kiosk.wait_until(lambda: screen.message, timeout=15, what="the refusal")
    assert screen.message == "本机暂时不能再查询更多人的信息，请稍后再试或咨询工作人员。"


def test_the_real_hall_sends_a_code_and_refuses_a_wrong_one(kiosk):
    """Needs the hall's POST /identity/challenge and proof checking (issue #10, hall side)."""
    screen = _typed_records(kiosk)
    kiosk.tap(screen.code_button)
    kiosk.wait_until(lambda: screen.step == "code" and not screen.busy, timeout=15, what="the code keypad")
    challenge = kiosk.app.session.challenge
    assert "*" in challenge.masked_phone and challenge.masked_phone in " ".join(kiosk.texts())
    _type_code(kiosk, screen, "000000")
    kiosk.tap(screen.confirm_button)
    kiosk.wait_until(lambda: screen.message, timeout=15, what="the refusal")
    assert screen.message == "验证码不正确，请核对后重新输入。" and screen.step == "code"
    assert kiosk.app.session.records == []
