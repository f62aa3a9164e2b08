"""Printing a flow's jobs on the kiosk printer, turning every printer failure into a reason code.

A failed print never loses what the citizen got: the screen shows the QR instead and says why.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from terminal_drivers.errors import DeviceError
from terminal_drivers.printer.paper import PaperFormat

log = logging.getLogger(__name__)

# Long enough for a multi-page record printout at 115200 baud, short enough that a hung printer
# does not keep the citizen waiting.
PRINT_TIMEOUT_S = 30.0


class JobPrinter(Protocol):
    """What a flow needs of a printer: the kiosk's device wrapper or the driver itself."""

    async def print_job(self, data: bytes) -> object: ...


class PaperPrinter(JobPrinter, Protocol):
    """A printer that also says which paper it holds (read from the configuration once, at start)."""

    @property
    def paper(self) -> PaperFormat: ...


def paper_of(printer: PaperPrinter | None) -> PaperFormat:
    """The printer's paper; with no printer nothing prints, and 80 mm paper stands in for the jobs."""
    return printer.paper if printer is not None else PaperFormat()


@dataclass(frozen=True)
class PrintOutcome:
    """``reason`` is a stable code (``paper_out``, ``cover_open``, ``printer_missing``, …)."""

    printed: bool
    reason: str | None = None
    jobs_printed: int = 0
    jobs_total: int = 0

    @property
    def partial(self) -> bool:
        return 0 < self.jobs_printed < self.jobs_total


async def print_jobs(
    printer: JobPrinter | None,
    jobs: Sequence[bytes],
    *,
    timeout_s: float = PRINT_TIMEOUT_S,
    still_wanted: Callable[[], bool] | None = None,
) -> PrintOutcome:
    """Print each job (one cut ticket each) in order; stop at the first failure, and before any
    sheet once ``still_wanted()`` says no (reason ``cancelled``: its citizen has gone)."""
    total = len(jobs)
    if printer is None:
        return PrintOutcome(False, "printer_missing", 0, total)
    done = 0
    for job in jobs:
        if still_wanted is not None and not still_wanted():
            log.info("print stopped before job %d/%d: no longer wanted", done + 1, total)
            return PrintOutcome(False, "cancelled", done, total)
        try:
            await asyncio.wait_for(printer.print_job(job), timeout_s)
        except DeviceError as exc:
            log.warning("print job %d/%d refused: %s", done + 1, total, exc.code)
            return PrintOutcome(False, exc.code, done, total)
        except TimeoutError:
            log.warning("print job %d/%d timed out", done + 1, total)
            return PrintOutcome(False, "printer_timeout", done, total)
        done += 1
    return PrintOutcome(True, None, done, total)
