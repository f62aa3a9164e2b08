"""The hall's certificate answer (POST /records/certificate): a PDF with its code and digest."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Certificate:
    """A certificate as the hall issued it: the PDF (personal, never logged, so not in the repr), its
    verification code as printed on it (grouped) and the PDF's SHA-256 (hex)."""

    pdf: bytes = field(repr=False)
    code: str
    sha256: str


def certificate_problem(headers: Mapping[str, str], pdf: bytes) -> str | None:
    """Why a 2xx answer is no certificate, or None when it is one."""
    if not headers.get("Content-Type", "").startswith("application/pdf") or not pdf.startswith(b"%PDF"):
        return "not a PDF"
    if not headers.get("X-Verification-Code", "").strip() or not headers.get("X-Document-SHA256", "").strip():
        return "no verification code or digest"
    if hashlib.sha256(pdf).hexdigest() != headers["X-Document-SHA256"].strip().lower():
        # Cut short on the way: a certificate whose digest does not match would fail verification.
        return "the PDF does not match its digest"
    return None


def certificate_of(headers: Mapping[str, str], pdf: bytes) -> Certificate:
    return Certificate(pdf=pdf, code=headers["X-Verification-Code"].strip(),
                       sha256=headers["X-Document-SHA256"].strip().lower())
