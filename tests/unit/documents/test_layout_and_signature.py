"""A certificate laid out, signed and looked at from outside: A4, font subsets, the rows as text, the
header on every page, 第 n 页 共 m 页, and a signature that holds until one byte changes."""

from __future__ import annotations

import logging
import os
import stat
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hall_server.documents.demo_ca import make_demo_identity
from hall_server.documents.desk import font_cache_dir
from hall_server.documents.layout import Certificate, CertificateFonts, build_pdf
from hall_server.documents.signing import HallSigner, SigningNotConfigured, SigningPaths

from .pdf_probe import fonts, info, signature_status, text

COLUMNS = [("month", "缴费月份"), ("amount", "个人缴纳"), ("employer", "参保单位")]


def rows(count: int) -> list[dict[str, str]]:
    return [{"month": f"{2023 + (i // 12)}-{i % 12 + 1:02d}", "amount": f"{300 + i}.50",
             "employer": "示范区城市建设有限公司"} for i in range(count)]


def certificate(count: int, name: str = "赵䶮", lang: str = "zh-Hans") -> Certificate:
    return Certificate(
        kind="social_insurance_payments", lang=lang, hall_name="示范区政务服务中心",
        seal_name="示范区政务服务中心", holder_name=name, masked_id="1101**********002X", columns=COLUMNS,
        rows=rows(count), start=date(2023, 1, 1), end=None,
        issued_at=datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        code="K7QD-2M9X-AB3F-QQ7Z-9XYZ", verify_url="http://hall.test/v/K7QD2M9XAB3FQQ7Z9XYZ",
    )


@pytest.fixture(scope="module")
def cert_fonts() -> CertificateFonts:
    return CertificateFonts(font_cache_dir())


def test_a_long_history_is_a4_and_its_rows_come_back_as_text(cert_fonts: CertificateFonts) -> None:
    laid_out = build_pdf(certificate(60), cert_fonts)
    found = info(laid_out.pdf)
    assert (round(found.width_pt, 2), round(found.height_pt, 2)) == (595.28, 841.89)
    assert found.pages == laid_out.pages >= 2
    assert all(f.embedded and f.subset and f.unicode and f.type == "CID Type 0C" for f in fonts(laid_out.pdf))
    extracted = text(laid_out.pdf)
    assert "赵䶮" in extracted
    position = 0
    for row in rows(60):
        for key, _ in COLUMNS:
            position = extracted.index(row[key], position)
    for page in range(1, found.pages + 1):
        page_text = "".join(text(laid_out.pdf, page).split())
        assert f"第{page}页共{found.pages}页" in page_text
        if page < found.pages:
            assert all(label in page_text for _, label in COLUMNS)


def test_an_empty_period_says_so(cert_fonts: CertificateFonts) -> None:
    laid_out = build_pdf(certificate(0), cert_fonts)
    assert laid_out.pages == 1
    assert "查询期间内无记录" in text(laid_out.pdf)


def test_the_signature_covers_the_file_and_one_changed_byte_breaks_it(cert_fonts: CertificateFonts,
                                                                       tmp_path: Path) -> None:
    identity = make_demo_identity(tmp_path / "signing", "示范区政务服务中心")
    assert stat.S_IMODE(os.stat(identity.key_path).st_mode) == 0o600
    signer = HallSigner(SigningPaths(identity.key_path, identity.chain_path))
    signed = signer.sign(build_pdf(certificate(5), cert_fonts).pdf, reason="证明", location="示范区")
    status = signature_status(signed, signer.chain_pem)
    assert status.intact and status.valid and status.trusted
    for where in (len(signed) // 3, signed.index(b"/Title") + 8):
        tampered = bytearray(signed)
        tampered[where] ^= 0x20
        broken = signature_status(bytes(tampered), signer.chain_pem)
        assert not (broken.intact and broken.valid)


def test_no_key_means_signing_is_not_configured(tmp_path: Path) -> None:
    with pytest.raises(SigningNotConfigured):
        HallSigner(SigningPaths.for_data_dir(tmp_path))
    (tmp_path / "signing").mkdir()
    (tmp_path / "signing" / "signing-key.pem").write_text("not a key")
    (tmp_path / "signing" / "signing-chain.pem").write_text("not a chain")
    with pytest.raises(SigningNotConfigured):
        HallSigner(SigningPaths.for_data_dir(tmp_path))


@pytest.mark.parametrize("name", ["😀王\u0301\ufeff", "A" * 60, "王" * 60, "\u200b", "𠀀𪚥"])
def test_any_name_a_kiosk_may_send_is_laid_out(cert_fonts: CertificateFonts, name: str) -> None:
    laid_out = build_pdf(certificate(3, name=name), cert_fonts)
    assert laid_out.pdf.startswith(b"%PDF-") and laid_out.pages >= 1


def test_every_rare_name_character_has_its_glyph(cert_fonts: CertificateFonts,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    # fpdf2 drops a character its fonts lack and says so in a warning; none may be dropped.
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        laid_out = build_pdf(certificate(2, name="欧阳镕堃喆䶮"), cert_fonts)
    assert not [r for r in caplog.records if "missing" in r.getMessage().lower()]
    assert "欧阳镕堃喆䶮" in text(laid_out.pdf)
    assert len(fonts(laid_out.pdf)) >= 3  # the first regular piece, a rarer one, and bold
