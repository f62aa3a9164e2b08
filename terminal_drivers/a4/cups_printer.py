"""The A4 printer driver: PDF jobs to a CUPS queue over IPP, watched to their end.

Library: pycups (OpenPrinting's bindings to libcups, the same client library CUPS's own ``lp`` and
``lpstat`` use). It covers every operation needed here (Print-Job as Create-Job + Send-Document,
Get-Job-Attributes, Get-Printer-Attributes, Cancel-Job) and sends the real requesting user, which
is what decides where cups-pdf writes. The pure IPP client pyipp (async, aiohttp) was weighed: it
is built for Home Assistant's monitoring, hard-codes ``requesting-user-name`` and silently drops
any attribute missing from its tag table, so job handling would be half ours anyway. pycups's
calls block, so each runs in a worker thread under a timeout (DESIGN §2); it compiles against
libcups2-dev (scripts/install-system-deps.sh).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from terminal_drivers.a4.job_outcome import PROCESSING, JobOutcome, as_keywords, final_outcome
from terminal_drivers.a4.printer_state import PrinterState, interpret
from terminal_drivers.devices import Health
from terminal_drivers.errors import DeviceError, DeviceNotFound, DeviceTimeout, PrinterOffline, ProtocolError

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_SERVER = "localhost:631"
PRINTER_ATTRIBUTES = ["printer-state", "printer-state-reasons", "printer-is-accepting-jobs",
                      "printer-state-message", "printer-make-and-model", "device-uri"]
JOB_ATTRIBUTES = ["job-state", "job-state-reasons"]
# IPP status codes (RFC 8011 §B) that have a meaning for the kiosk.
IPP_NOT_FOUND, IPP_NOT_ACCEPTING = 0x0406, 0x0506


def parse_server(server: str) -> tuple[str, int]:
    """``HOST[:PORT]`` or a Unix socket path (``/run/cups/cups.sock``) → (host, port) for libcups."""
    text = server.strip()
    if not text:
        raise ValueError("the CUPS server must be HOST[:PORT] or a socket path")
    if text.startswith("/"):
        return text, 631
    host, _, port = text.rpartition(":") if ":" in text else (text, "", "631")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"not a CUPS server: {server!r} (HOST[:PORT] or a socket path)")
    return host, int(port)


class A4Printer:
    """``async with A4Printer("kiosk-a4") as p: outcome = await p.print_pdf(pdf, "Certificate")``.

    Opening never fails when CUPS is down: the printer is then offline and every call tries to
    connect again. Job titles show in CUPS's job list and logs: never put a name or ID number in one.
    """

    def __init__(
        self,
        queue: str,
        server: str = DEFAULT_SERVER,
        *,
        job_timeout_s: float = 60.0,
        call_timeout_s: float = 5.0,
        poll_s: float = 0.05,
    ) -> None:
        if not queue.strip():
            raise ValueError("the CUPS queue name is empty")
        if job_timeout_s <= 0 or call_timeout_s <= 0 or poll_s <= 0:
            raise ValueError("timeouts and the poll interval must be positive")
        self.queue = queue
        self.server = server
        self.host, self.port = parse_server(server)
        self.job_timeout_s = job_timeout_s
        self.call_timeout_s = call_timeout_s
        self.poll_s = poll_s
        self.last_state: PrinterState | None = None
        self.last_error: str | None = None
        self.jobs_printed = 0
        self._health = Health.offline("not_connected")
        self._connection: Any = None
        self._lock = asyncio.Lock()

    @property
    def health(self) -> Health:
        return self._health

    async def __aenter__(self) -> A4Printer:
        try:
            await self.status()
        except DeviceError as exc:
            log.warning("A4 printer %s on %s: %s", self.queue, self.server, exc.code)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._connection = None

    # -- operations ---------------------------------------------------------------------------

    async def status(self) -> PrinterState:
        """The queue's state now (Get-Printer-Attributes). Raises DeviceNotFound with code
        ``cups_unreachable`` or ``queue_not_found``, DeviceTimeout when CUPS does not answer."""
        async with self._lock:
            return await self._status()

    async def print_pdf(self, data: bytes, title: str) -> JobOutcome:
        """Print one PDF and wait for the job's end (at most ``job_timeout_s``).

        Refused, with nothing sent, by PrinterOffline whose code is the printer's reason (``paused``,
        ``not_accepting``, ``media_empty``, …). A job that does not finish in time, or that sits in a
        printer that stopped, is cancelled: a citizen's certificate must not come out later for the
        next person at the kiosk.
        """
        if not data.startswith(b"%PDF-"):
            raise ValueError("not a PDF document")
        async with self._lock:
            state = await self._status()
            if not state.can_print:
                reason = state.health.reason or "printer_offline"
                self.last_error = reason
                log.warning("A4 printer %s refused a job: %s", self.queue, reason)
                raise PrinterOffline(f"the A4 printer {self.queue} cannot print: {reason}", code=reason)
            started = time.monotonic()
            job_id = await self._call(self._submit, data, title)
            log.info("A4 printer %s: job %d sent (%d bytes)", self.queue, job_id, len(data))
            outcome = await self._watch(job_id, started)
            if outcome.ok:
                self.jobs_printed += 1
                self.last_error = None
            else:
                self.last_error = outcome.reason
            log.info("A4 printer %s: job %d %s in %.2f s", self.queue, job_id, outcome.state,
                     outcome.elapsed_s)
            return outcome

    async def diag(self) -> dict[str, Any]:
        """Everything a technician wants to see, with a fresh status query."""
        query: dict[str, Any]
        try:
            query = (await self.status()).as_json()
        except DeviceError as exc:
            query = {"error": exc.code, "message": str(exc)}
        return {
            "device": "a4_printer",
            "queue": self.queue,
            "server": self.server,
            "health": self._health.as_json(),
            "status": query,
            "jobs_printed": self.jobs_printed,
            "last_error": self.last_error,
        }

    # -- internals (called with the lock held) ------------------------------------------------

    async def _status(self) -> PrinterState:
        try:
            attrs = await self._call(self._printer_attributes)
        except DeviceError as exc:
            self._health = Health.offline(exc.code)
            self.last_error = exc.code
            raise
        state = interpret(
            int(attrs.get("printer-state", 0) or 0),
            as_keywords(attrs.get("printer-state-reasons")),
            bool(attrs.get("printer-is-accepting-jobs", False)),
        )
        self.last_state = state
        self._health = state.health
        return state

    async def _watch(self, job_id: int, started: float) -> JobOutcome:
        deadline = started + self.job_timeout_s
        while True:
            attrs = await self._call(self._job_attributes, job_id)
            job_state = int(attrs.get("job-state", 0) or 0)
            reasons = as_keywords(attrs.get("job-state-reasons"))
            outcome = final_outcome(job_id, job_state, reasons, time.monotonic() - started)
            if outcome is not None:
                return outcome
            if job_state != PROCESSING:
                # Waiting in the queue: if the printer has stopped, the job would wait for a technician.
                state = await self._status()
                if not state.can_print:
                    await self._cancel(job_id)
                    elapsed = time.monotonic() - started
                    return JobOutcome(job_id, "printer_stopped", state.health.reason, reasons, elapsed)
            if time.monotonic() >= deadline:
                await self._cancel(job_id)
                return JobOutcome(job_id, "timed_out", "job_timeout", reasons, time.monotonic() - started)
            await asyncio.sleep(self.poll_s)

    async def _cancel(self, job_id: int) -> None:
        try:
            await self._call(self._cancel_job, job_id)
        except DeviceError as exc:
            # The job may have ended meanwhile; the outcome already says it did not complete.
            log.warning("A4 printer %s: job %d not cancelled: %s", self.queue, job_id, exc.code)

    async def _call(self, func: Callable[..., T], *args: Any) -> T:
        """Run one blocking libcups call in a thread under the call timeout, errors translated."""
        try:
            import cups
        except ImportError as exc:
            raise DeviceNotFound("pycups is not installed (scripts/setup installs it)",
                                 code="cups_client_missing") from exc

        try:
            return await asyncio.wait_for(asyncio.to_thread(func, *args), self.call_timeout_s)
        except TimeoutError as exc:
            self._connection = None
            raise DeviceTimeout(f"CUPS at {self.server} did not answer in {self.call_timeout_s:g} s") from exc
        except cups.IPPError as exc:
            status = exc.args[0] if exc.args else 0
            message = exc.args[1] if len(exc.args) > 1 else str(exc)
            if status == IPP_NOT_FOUND:
                raise DeviceNotFound(f"no CUPS queue {self.queue!r} at {self.server}",
                                     code="queue_not_found") from exc
            if status == IPP_NOT_ACCEPTING:
                raise PrinterOffline(f"queue {self.queue} is not accepting jobs",
                                     code="not_accepting") from exc
            raise ProtocolError(f"CUPS refused: {message} (0x{status:04x})", code="ipp_error") from exc
        except (RuntimeError, cups.HTTPError) as exc:
            # libcups reports "failed to connect to server" as a RuntimeError.
            self._connection = None
            raise DeviceNotFound(f"CUPS at {self.server}: {exc}", code="cups_unreachable") from exc

    # -- blocking libcups calls (worker thread) ---------------------------------------------

    def _conn(self) -> Any:
        import cups

        if self._connection is None:
            self._connection = cups.Connection(host=self.host, port=self.port)
        return self._connection

    def _printer_attributes(self) -> dict[str, Any]:
        attrs: dict[str, Any] = self._conn().getPrinterAttributes(
            self.queue, requested_attributes=PRINTER_ATTRIBUTES)
        return attrs

    def _job_attributes(self, job_id: int) -> dict[str, Any]:
        attrs: dict[str, Any] = self._conn().getJobAttributes(job_id, requested_attributes=JOB_ATTRIBUTES)
        return attrs

    def _submit(self, data: bytes, title: str) -> int:
        import cups

        conn = self._conn()
        # A4 by name, so a printer whose default is Letter still prints the certificate to size.
        job_id = int(conn.createJob(self.queue, title or "kiosk", {"media": "iso_a4_210x297mm"}))
        conn.startDocument(self.queue, job_id, title or "kiosk", "application/pdf", 1)
        conn.writeRequestData(data, len(data))
        if conn.finishDocument(self.queue) != cups.IPP_OK:
            raise cups.IPPError(cups.IPP_INTERNAL_ERROR, "the document was not accepted")
        return job_id

    def _cancel_job(self, job_id: int) -> None:
        self._conn().cancelJob(job_id)

