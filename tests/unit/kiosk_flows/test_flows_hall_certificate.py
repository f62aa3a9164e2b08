"""The hall client's certificate call: a binary PDF answer with its code and digest, refusals as HallError."""

from __future__ import annotations

import hashlib
import logging

import pytest

from hall_contract import CodeProof
from kiosk.hall_client import HallClient, HallError

from .test_flows_hall_client import ScriptedServer

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"
CODE = "ABCD-EFGH-JKLM-NPQR-STUV"


def pdf_headers(pdf: bytes = PDF, sha: str | None = None) -> dict[str, str]:
    return {"Content-Type": "application/pdf", "X-Verification-Code": CODE,
            "X-Document-SHA256": sha or hashlib.sha256(pdf).hexdigest()}




def test_the_certificate_comes_back_as_bytes_with_its_code_and_digest(
    server: ScriptedServer, client: HallClient, caplog: pytest.LogCaptureFixture
) -> None:
    server.script = [(503, {"error": {"code": "unavailable"}}), (200, PDF, pdf_headers())]
    proof = CodeProof(type="code", challenge_id="c" * 22, code="123456")
    caplog.set_level(logging.DEBUG)
    cert = client.certificate("social_insurance_payments", "440106199001011237", "张伟", proof, lang="en")
    assert cert.pdf == PDF and cert.code == CODE and cert.sha256 == hashlib.sha256(PDF).hexdigest()
    assert [s["path"] for s in server.seen] == ["/api/v1/records/certificate"] * 2
    assert server.seen[-1]["headers"]["Accept"] == "application/pdf"
    assert server.seen[-1]["body"] == {
        "kind": "social_insurance_payments", "id_number": "440106199001011237", "name": "张伟", "lang": "en",
        "proof": {"type": "code", "challenge_id": "c" * 22, "code": "123456"},
    }
    # The PDF, the full ID number, the name and the code never reach the log or the repr.
    said = caplog.text + repr(cert)
    assert "440106199001011237" not in said and "张伟" not in said and "123456" not in said
    assert "%PDF" not in repr(cert)


def test_a_refusal_is_a_hall_error_with_its_code(server: ScriptedServer, client: HallClient) -> None:
    server.script = [(410, {"error": {"code": "challenge_expired", "message": "ask again"}})]
    with pytest.raises(HallError) as err:
        client.certificate("social_insurance_payments", "440106199001011237", "张伟", None)
    assert err.value.code == "challenge_expired" and err.value.status == 410


@pytest.mark.parametrize("answer", [
    (200, {"not": "a pdf"}),
    (200, PDF, {**pdf_headers(), "X-Verification-Code": ""}),
    (200, PDF[:-10], pdf_headers()),
    (200, PDF, pdf_headers(sha="0" * 64)),
])
def test_an_answer_that_is_no_certificate_is_a_bad_response(
    server: ScriptedServer, client: HallClient, answer: tuple[object, ...]
) -> None:
    server.script = [answer]
    with pytest.raises(HallError) as err:
        client.certificate("social_insurance_payments", "440106199001011237", "张伟", None)
    assert err.value.code == "bad_response"
