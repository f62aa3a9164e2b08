"""POST /records/certificate through a real hall: an A4 PDF with the rows as text, embedded font subsets,
pages numbered, a signature that pyHanko validates against GET /signing-certificate and that one changed
byte breaks, and a verification code that GET /verify/{code} and /v/{code} resolve."""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from citizen_id.masking import mask_name

from .conftest import Hall, id_with_months, pdf_probe

pytestmark = pytest.mark.db
A4 = (595.28, 841.89)
NAME = "欧阳镕堃"
# The kiosk's reader read this person's card during the visit (DESIGN §4.5).
CARD = {"type": "card"}


def squeeze(text: str) -> str:
    """Text without white space: pdftotext drops the spaces between CJK characters."""
    return re.sub(r"\s", "", text)


# What a certificate says is tested here; how fast it is made, by bench/documents.py (400 ms). Alone a
# certificate takes about a second here, but beside the suite's other runs on two cores one took 28-32 s
# (Traditional Chinese, PostgreSQL run): past the API clients' 30 s, a failure that says nothing of it.
CERTIFICATE_TIMEOUT_S = 120.0


def certificate(hall: Hall, **body: Any) -> httpx.Response:
    payload = {"kind": "social_insurance_payments", "id_number": id_with_months(36), "name": NAME,
               "proof": CARD, **body}
    return hall.kiosk().post("/records/certificate", json=payload, timeout=CERTIFICATE_TIMEOUT_S)


def rows_of(hall: Hall, **body: Any) -> dict[str, Any]:
    payload = {"kind": "social_insurance_payments", "id_number": id_with_months(36), "name": NAME,
               "proof": CARD, **body}
    reply = hall.kiosk().post("/records/query", json=payload)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_a_36_month_history_is_an_a4_pdf_with_every_row_as_text(hall: Hall, artifacts_dir: Path) -> None:
    reply = certificate(hall, **{"from": "2023-10-01", "to": "2026-09-30"})
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "application/pdf"
    pdf = reply.content
    info = pdf_probe.info(pdf)
    assert (round(info.width_pt, 2), round(info.height_pt, 2)) == A4
    assert info.pages >= 2
    fonts = pdf_probe.fonts(pdf)
    assert fonts and all(f.embedded and f.subset and f.unicode for f in fonts), fonts
    answer = rows_of(hall, **{"from": "2023-10-01", "to": "2026-09-30"})
    assert len(answer["rows"]) == 36
    text = pdf_probe.text(pdf)
    assert NAME in text
    # The rows come back in order, each cell as printed.
    cells = [row[c["key"]] for row in answer["rows"] for c in answer["columns"]]
    position = 0
    for cell in cells:
        found = text.find(cell, position)
        assert found >= 0, f"{cell!r} missing after offset {position}"
        position = found
    labels = [c["label"] for c in answer["columns"]]
    for page in range(1, info.pages + 1):
        page_text = pdf_probe.text(pdf, page)
        assert f"第{page}页共{info.pages}页" in squeeze(page_text)
        if page < info.pages or any(row["month"] in page_text for row in answer["rows"]):
            assert all(label in page_text for label in labels), f"headings missing on page {page}"
    code = reply.headers["x-verification-code"]
    assert code in text
    for png in pdf_probe.render(pdf, artifacts_dir / "documents" / "payments-zh-Hans"):
        assert png.stat().st_size > 0
    (artifacts_dir / "documents" / "payments-zh-Hans.pdf").write_bytes(pdf)


def test_the_signature_validates_against_the_published_chain_and_one_changed_byte_breaks_it(
        hall: Hall) -> None:
    pdf = certificate(hall).content
    chain = hall.client().get("/signing-certificate")
    assert chain.status_code == 200
    assert chain.text.count("BEGIN CERTIFICATE") == 2
    status = pdf_probe.signature_status(pdf, chain.content)
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    # A byte inside the signed range: the page content of the first page's title block.
    tampered = bytearray(pdf)
    offset = pdf.index(b"/Title")
    tampered[offset + 8] ^= 0x01
    broken = pdf_probe.signature_status(bytes(tampered), chain.content)
    assert not (broken.intact and broken.valid)
    # A second, independent reader (poppler with NSS) agrees on both.
    assert "Signature is Valid." in pdf_probe.pdfsig(pdf)
    assert "Total document signed" in pdf_probe.pdfsig(pdf)
    assert "Signature is Valid." not in pdf_probe.pdfsig(bytes(tampered))


def test_a_reader_trusting_another_root_does_not_trust_the_signature(hall: Hall, tmp_path: Path) -> None:
    from hall_server.documents.demo_ca import make_demo_identity

    pdf = certificate(hall).content
    stranger = make_demo_identity(tmp_path / "other", "别的中心")
    status = pdf_probe.signature_status(pdf, stranger.ca_path.read_bytes())
    assert status.intact and not status.trusted


def test_the_verification_code_resolves_to_kind_time_hash_and_a_masked_name_only(hall: Hall) -> None:
    reply = certificate(hall)
    code = reply.headers["x-verification-code"]
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){4}", code)
    check = hall.client().get(f"/verify/{code}")
    assert check.status_code == 200, check.text
    body = check.json()
    assert body["valid"] is True
    assert body["kind"] == "social_insurance_payments"
    assert body["sha256"] == hashlib.sha256(reply.content).hexdigest() == reply.headers["x-document-sha256"]
    assert body["issued_at"] == "2026-11-25T10:00:00+08:00"
    assert body["masked_name"] == mask_name(NAME)
    assert NAME not in check.text and NAME[1:] not in check.text
    # Typed back by a person: lower case, no hyphens.
    assert hall.client().get(f"/verify/{code.replace('-', '').lower()}").json()["sha256"] == body["sha256"]
    page = httpx.get(f"{hall.url}/v/{code}", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert page.status_code == 200
    assert "Valid" in page.text and body["sha256"] in page.text and NAME not in page.text
    assert 'href="/static/hall.css"' in page.text
    hant = httpx.get(f"{hall.url}/v/{code}?lang=zh-Hant")
    assert "有效" in hant.text and "社會保險繳費證明" in hant.text


def test_unknown_and_malformed_codes_get_clear_answers(hall: Hall) -> None:
    unknown = hall.client().get("/verify/0000-0000-0000-0000-0000")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_verification_code"
    assert unknown.json()["valid"] is False
    malformed = hall.client().get("/verify/not-a-code")
    assert malformed.status_code == 422
    assert malformed.json()["error"]["code"] == "invalid_verification_code"
    assert httpx.get(f"{hall.url}/v/0000000000000000000X").status_code == 404
    assert httpx.get(f"{hall.url}/v/abc").status_code == 422


@pytest.mark.parametrize("lang, page_words", [("zh-Hant", "第 1 頁 共 2 頁"), ("en", "Page 1 of 2")])
def test_other_languages(hall: Hall, artifacts_dir: Path, lang: str, page_words: str) -> None:
    reply = certificate(hall, lang=lang, **{"from": "2025-01-01"})
    assert reply.status_code == 200, reply.text
    assert squeeze(page_words) in squeeze(pdf_probe.text(reply.content))
    pdf_probe.render(reply.content, artifacts_dir / "documents" / f"payments-{lang}")


@pytest.mark.parametrize("kind", ["medical_insurance_certificate", "entry_exit_records",
                                  "real_estate_records", "application_progress"])
def test_every_kind_makes_a_certificate(hall: Hall, artifacts_dir: Path, kind: str) -> None:
    reply = certificate(hall, kind=kind, name="张喆䶮")
    assert reply.status_code == 200, reply.text
    text = pdf_probe.text(reply.content)
    assert "张喆䶮" in text
    pdf_probe.render(reply.content, artifacts_dir / "documents" / kind)


def test_bad_requests_get_the_error_shape(hall: Hall) -> None:
    kiosk = hall.kiosk()
    unknown = kiosk.post("/records/certificate", json={"kind": "horoscope", "id_number": id_with_months(1),
                                                        "name": NAME, "proof": CARD})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_kind"
    bad_id = kiosk.post("/records/certificate", json={"kind": "entry_exit_records",
                                                       "id_number": "110105198806151230", "name": NAME,
                                                       "proof": CARD})
    assert bad_id.status_code == 422 and bad_id.json()["error"]["code"] == "invalid_id_number"
    extra = kiosk.post("/records/certificate", json={"kind": "entry_exit_records", "id_number": "x",
                                                      "name": NAME, "colour": "red"})
    assert extra.status_code == 422 and extra.json()["error"]["code"] == "invalid_request"
    anonymous = hall.client().post("/records/certificate", json={
        "kind": "entry_exit_records", "id_number": id_with_months(1), "name": NAME})
    assert anonymous.status_code == 401
    staff = hall.staff("counter1").post("/records/certificate", json={
        "kind": "entry_exit_records", "id_number": id_with_months(1), "name": NAME})
    assert staff.status_code == 403
    no_proof = kiosk.post("/records/certificate", json={
        "kind": "entry_exit_records", "id_number": id_with_months(1), "name": NAME})
    assert no_proof.status_code == 403 and no_proof.json()["error"]["code"] == "proof_required"


def test_no_signing_key_is_refused_before_records_are_read(hall_with: Any, tmp_path: Path) -> None:
    hall = hall_with()
    for pem in (tmp_path / "signing").glob("*.pem"):
        pem.unlink()
    reply = certificate(hall)
    assert reply.status_code == 503
    assert reply.json()["error"]["code"] == "signing_not_configured"
    assert hall.client().get("/signing-certificate").status_code == 503
    audit = hall.staff("admin").get("/records/audit").json()["queries"]
    assert audit == []


def test_verification_look_ups_are_rate_limited(hall: Hall) -> None:
    from hall_server.api.documents import VERIFY_BURST

    client = hall.client()
    answers = [client.get("/verify/0000-0000-0000-0000-0000").status_code for _ in range(VERIFY_BURST + 1)]
    assert answers[:VERIFY_BURST] == [404] * VERIFY_BURST
    assert answers[-1] == 429
    limited = client.get("/verify/0000-0000-0000-0000-0000")
    assert limited.json()["error"]["code"] == "rate_limited" and "retry-after" in limited.headers
    page = httpx.get(f"{hall.url}/v/00000000000000000000?lang=en")
    assert page.status_code == 429 and "Too many checks" in page.text and "retry-after" in page.headers


def test_twenty_certificates_at_once_all_arrive_and_verify(hall: Hall) -> None:
    def one(_: int) -> httpx.Response:
        with httpx.Client(base_url=hall.url + "/api/v1", timeout=120,
                          headers={"Authorization": f"Bearer {hall.kiosk_token}"}) as client:
            return client.post("/records/certificate", json={
                "kind": "social_insurance_payments", "id_number": id_with_months(36), "name": NAME,
                "proof": CARD})

    with ThreadPoolExecutor(20) as pool:
        replies = list(pool.map(one, range(20)))
    assert [r.status_code for r in replies] == [200] * 20
    codes = {r.headers["x-verification-code"] for r in replies}
    assert len(codes) == 20
    for reply in replies:
        check = hall.client().get(f"/verify/{reply.headers['x-verification-code']}").json()
        assert check["sha256"] == hashlib.sha256(reply.content).hexdigest()


def test_an_unusable_font_cache_is_a_clear_refusal(hall_with: Any, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("HALL_FONT_CACHE", str(blocker / "fonts"))
    hall = hall_with()
    reply = certificate(hall)
    assert reply.status_code == 503
    assert reply.json()["error"]["code"] == "documents_unavailable"
