"""The records flow's A4 certificate: asked from the hall with the visit's proof, printed on the A4
printer, refused with a reason code when either cannot; the PDF never reaches the log."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from hall_contract import CardProof
from kiosk.a4_printing import A4Offer
from kiosk.flows.records import RecordsFlow
from kiosk.hall_client import HallClient
from kiosk.session import Identity
from terminal_drivers.a4.job_outcome import JobOutcome
from terminal_drivers.errors import DeviceError
from tests.unit.kiosk_flows.test_flows_hall_client import ScriptedServer

ID_NUMBER, NAME = "440106198503121237", "张伟"
PDF = b"%PDF-1.7\nsecret body\n%%EOF\n"
CODE = "ABCD-EFGH-JKLM-NPQR-STUV"
KIND = "social_insurance_payments"
OK_ANSWER = (200, PDF, {"Content-Type": "application/pdf", "X-Verification-Code": CODE,
                        "X-Document-SHA256": hashlib.sha256(PDF).hexdigest()})


class FakeA4:
    def __init__(self, offer: A4Offer, state: str = "completed", fails: str | None = None) -> None:
        self._offer, self.state, self.fails = offer, state, fails
        self.printed: list[tuple[bytes, str]] = []

    def offer(self) -> A4Offer:
        return self._offer

    async def print_certificate(self, pdf: bytes, kind: str) -> JobOutcome:
        if self.fails:
            raise DeviceError("refused", code=self.fails)
        self.printed.append((pdf, kind))
        reason = None if self.state == "completed" else "media_jam"
        return JobOutcome(7, self.state, reason, (), 0.1)  # type: ignore[arg-type]



@pytest.fixture
def flow(server: ScriptedServer) -> Iterator[RecordsFlow]:
    with HallClient(server.url, "tok", timeout=2, retries=0, backoff_s=0, sleep=lambda s: None) as c:
        yield RecordsFlow(c)


def run(flow: RecordsFlow, a4: Any) -> Any:
    who = Identity(name=NAME, id_number=ID_NUMBER, source="id_card")
    return asyncio.run(flow.print_certificate(a4, KIND, who, CardProof(type="card"), lang="en"))


def test_the_certificate_is_asked_with_the_proof_and_printed(
    server: ScriptedServer, flow: RecordsFlow, caplog: pytest.LogCaptureFixture
) -> None:
    server.script = [OK_ANSWER]
    a4 = FakeA4(A4Offer(True))
    caplog.set_level(logging.DEBUG)
    outcome = run(flow, a4)
    assert outcome.printed and outcome.code == CODE and outcome.reason is None and outcome.job_id == 7
    assert a4.printed == [(PDF, KIND)]
    assert server.seen[0]["body"]["proof"] == {"type": "card"} and server.seen[0]["body"]["lang"] == "en"
    assert "secret body" not in caplog.text and ID_NUMBER not in caplog.text and NAME not in caplog.text


def test_an_a4_printer_that_cannot_print_is_not_asked_and_neither_is_the_hall(
    server: ScriptedServer, flow: RecordsFlow
) -> None:
    outcome = run(flow, FakeA4(A4Offer(False, "media_empty")))
    assert not outcome.printed and outcome.reason == "media_empty"
    assert server.seen == []
    assert run(flow, None).reason == "not_configured"


def test_the_halls_refusal_is_the_reason(server: ScriptedServer, flow: RecordsFlow) -> None:
    server.script = [(410, {"error": {"code": "challenge_expired", "message": "x"}})]
    a4 = FakeA4(A4Offer(True))
    outcome = run(flow, a4)
    assert not outcome.printed and outcome.reason == "challenge_expired" and a4.printed == []


@pytest.mark.parametrize(("a4", "reason"), [
    (FakeA4(A4Offer(True), fails="paused"), "paused"),
    (FakeA4(A4Offer(True), state="aborted"), "media_jam"),
])
def test_a_job_the_printer_refuses_or_ends_is_refused(
    server: ScriptedServer, flow: RecordsFlow, a4: FakeA4, reason: str
) -> None:
    server.script = [OK_ANSWER]
    outcome = run(flow, a4)
    assert not outcome.printed and outcome.reason == reason and outcome.code is None
