"""Querying and printing a citizen's records: kind → query with the identity → pages → printout."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from citizen_id.masking import mask_id_number
from hall_contract import Proof, RecordsResult
from kiosk.a4_printing import KioskA4
from kiosk.flows.printing import PaperPrinter, PrintOutcome, paper_of, print_jobs
from kiosk.flows.slips import record_jobs
from kiosk.hall_client import HallClient, HallError
from kiosk.i18n import N_
from kiosk.session import Identity
from terminal_drivers.errors import DeviceError

log = logging.getLogger(__name__)

# The record kinds of the contract (DESIGN §4.3), with their tile labels.
KINDS: dict[str, str] = {
    "social_insurance_payments": N_("Social insurance payments"),
    "medical_insurance_certificate": N_("Medical insurance certificate"),
    "entry_exit_records": N_("Exit-entry records"),
    "real_estate_records": N_("Real estate records"),
    "application_progress": N_("Application progress"),
}

PAGE_SIZE = 8


@dataclass(frozen=True)
class RecordPage:
    number: int  # from 1
    count: int
    rows: tuple[dict[str, str], ...]


def pages(result: RecordsResult, page_size: int = PAGE_SIZE) -> list[RecordPage]:
    """The rows cut into screen pages; an empty result is one empty page."""
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    rows = result.rows
    chunks = [rows[i : i + page_size] for i in range(0, len(rows), page_size)] or [()]
    return [RecordPage(i + 1, len(chunks), tuple(chunk)) for i, chunk in enumerate(chunks)]


def hall_time(generated_at: datetime | str, elapsed_s: float = 0.0) -> datetime | None:
    """The hall's clock now, from the time (with its UTC offset) it stamped an answer with, plus the
    time passed since. Printed times are hall time: the kiosk's own clock may run in UTC, and the
    demo hall runs its clock at its next opening."""
    try:
        stamped = generated_at if isinstance(generated_at, datetime) else datetime.fromisoformat(generated_at)
    except ValueError:
        return None
    if stamped.tzinfo is None:
        return None
    return stamped + timedelta(seconds=max(0.0, elapsed_s))


@dataclass(frozen=True)
class CertificateOutcome:
    """How an A4 certificate went: printed with its verification code, or refused with a stable
    ``reason`` (the A4 printer's fault, a job's end, or the hall's refusal code)."""

    printed: bool
    code: str | None = None
    reason: str | None = None
    job_id: int | None = None  # the CUPS job, for the technician


class RecordsFlow:
    def __init__(self, hall: HallClient) -> None:
        self.hall = hall
        # The last answer's hall timestamp and when (monotonic) it arrived.
        self._stamped: tuple[object, float] | None = None

    async def query(
        self, kind: str, identity: Identity, lang: str = "zh_Hans", proof: Proof | None = None
    ) -> RecordsResult:
        """``proof`` shows the citizen is here (kiosk.flows.proof); without one the hall refuses."""
        if kind not in KINDS:
            raise ValueError(f"unknown record kind {kind!r}")
        log.info("records query %s for %s", kind, mask_id_number(identity.id_number))
        result = await self.hall.call(
            self.hall.query_records, kind, identity.id_number, identity.name, lang=lang, proof=proof
        )
        self._stamped = (result.generated_at, time.monotonic())
        return result

    def printed_at(self, result: RecordsResult) -> datetime | None:
        """Hall time for a printout of ``result``; None when the hall gave no usable time."""
        elapsed = 0.0
        if self._stamped is not None and self._stamped[0] == result.generated_at:
            elapsed = time.monotonic() - self._stamped[1]
        printed = hall_time(result.generated_at, elapsed)
        if printed is None:
            log.warning("records answer has no hall time (%r): the kiosk's clock is printed",
                        result.generated_at)
        return printed

    async def print_records(
        self, printer: PaperPrinter | None, result: RecordsResult, identity: Identity, *, hall_name: str,
        lang: str, still_wanted: Callable[[], bool] | None = None,
    ) -> PrintOutcome:
        """Print the whole list, one cut sheet after another; stops at the first the printer refuses,
        and before the next sheet once ``still_wanted()`` says no (the citizen lifted their card)."""
        jobs = record_jobs(
            result, identity, hall_name=hall_name, lang=lang, paper=paper_of(printer),
            printed_at=self.printed_at(result),
        )
        return await print_jobs(printer, jobs, still_wanted=still_wanted)

    async def print_certificate(
        self, a4: KioskA4 | None, kind: str, identity: Identity, proof: Proof | None, *, lang: str,
    ) -> CertificateOutcome:
        """Ask the hall for the signed A4 certificate of ``kind`` with the visit's proof and print it.
        The PDF is personal: it lives in this call only (never logged, never written to disk)."""
        if kind not in KINDS:
            raise ValueError(f"unknown record kind {kind!r}")
        if a4 is None:
            return CertificateOutcome(False, reason="not_configured")
        offer = a4.offer()
        if not offer.available:
            return CertificateOutcome(False, reason=offer.reason)
        try:
            cert = await self.hall.call(
                self.hall.certificate, kind, identity.id_number, identity.name, proof, lang=lang
            )
        except HallError as exc:
            log.info("certificate %s refused by the hall: %s", kind, exc.code)
            return CertificateOutcome(False, reason=exc.code)
        code, pdf = cert.code, cert.pdf
        del cert
        try:
            outcome = await a4.print_certificate(pdf, kind)
        except DeviceError as exc:
            log.warning("certificate %s not printed: %s", kind, exc.code)
            return CertificateOutcome(False, reason=exc.code)
        finally:
            # Nothing of the PDF outlives the job.
            del pdf
        if not outcome.ok:
            log.warning("certificate %s job %s ended %s (%s)", kind, outcome.job_id, outcome.state,
                        outcome.reason)
            return CertificateOutcome(False, reason=outcome.reason or outcome.state)
        log.info("certificate %s printed as job %s for %s", kind, outcome.job_id,
                 mask_id_number(identity.id_number))
        return CertificateOutcome(True, code=code, job_id=outcome.job_id)
