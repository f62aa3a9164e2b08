"""The ticket printer driver: ESC/POS jobs over an AsyncPort, guarded by real-time status.

Each job is preceded and followed by ``DLE EOT 1..4``: a printer that is out of paper, open,
jammed, offline or silent is refused before a byte is sent, and the status after the job
confirms it left the printer. The port is reopened when a re-plugged device comes back.
"""

from __future__ import annotations

import logging
from typing import Any

from terminal_drivers.devices import Health
from terminal_drivers.errors import DeviceDisconnected, DeviceError, ProtocolError
from terminal_drivers.printer import escpos
from terminal_drivers.printer.paper import PaperFormat
from terminal_drivers.printer.status import PrinterStatus, check_reply, decode
from terminal_drivers.serial_device import SerialDevice

log = logging.getLogger(__name__)


class Printer(SerialDevice):
    """``async with Printer("/dev/ttyUSB0") as printer: await printer.print_job(data)``.

    Opening never fails on an absent device: the printer is then offline and every call tries
    to reconnect, so a kiosk started before its printer was plugged in recovers by itself.
    """

    device_label = "printer"

    def __init__(
        self,
        url: str,
        baudrate: int = 115200,
        *,
        paper_width_dots: int = 576,
        encoding: str = "gb18030",
        status_timeout: float = 0.5,
        reconnect_interval: float = 0.0,
    ) -> None:
        paper = PaperFormat(paper_width_dots, encoding)
        if status_timeout <= 0:
            raise ValueError("status_timeout must be positive")
        super().__init__(url, baudrate, port_timeout=status_timeout, reconnect_interval=reconnect_interval)
        self.paper_width_dots = paper_width_dots
        self.encoding = encoding
        self.paper = paper
        self.status_timeout = status_timeout
        self.last_status: PrinterStatus | None = None
        self.last_error: str | None = None
        self.jobs_printed = 0
        self.reconnects = 0
        self._connected_once = False

    # -- operations ------------------------------------------------------------------------

    async def status(self) -> PrinterStatus:
        """Query ``DLE EOT 1..4``; a silent printer gives a status with ``paper == "unknown"``.

        Raises ProtocolError for a reply that is not a status byte, DeviceDisconnected or
        DeviceNotFound when the port is gone.
        """
        async with self._lock:
            return await self._query()

    async def print_job(self, data: bytes) -> PrinterStatus:
        """Send one job (ESC/POS bytes, one cut sheet) and return the status after it.

        Refused, with nothing sent, with PaperOut, CoverOpen, CutterError, PrinterOffline or
        PrinterStatusUnknown; the same errors after the job mean it did not come out whole.
        """
        if not data:
            raise ValueError("empty print job")
        async with self._lock:
            before = await self._query()
            refusal = before.blocking_error
            if refusal is not None:
                self.last_error = refusal.code
                log.warning("printer %s refused a job: %s", self.url, refusal.code)
                raise refusal
            await self._ensure_open()
            try:
                await self._port.write(data)
            except DeviceError as exc:
                await self._lost(exc)
                raise
            # Serial lines drain at about a tenth of the baud rate in bytes per second.
            grace = len(data) * 10 / self.baudrate
            after = await self._query(extra_timeout=grace)
            failure = after.blocking_error
            if failure is not None:
                self.last_error = failure.code
                log.warning("printer %s failed during a job: %s", self.url, failure.code)
                raise type(failure)(f"after the job: {failure}") from None
            self.jobs_printed += 1
            self.last_error = None
            log.info("printer %s printed a job of %d bytes (%s)", self.url, len(data), after.paper)
            return after

    async def diag(self) -> dict[str, Any]:
        """Everything a technician wants to see, with a fresh status query."""
        query: dict[str, Any]
        try:
            query = (await self.status()).as_json()
        except DeviceError as exc:
            query = {"error": exc.code, "message": str(exc)}
        return {
            "device": "printer",
            "url": self.url,
            "baudrate": self.baudrate,
            "paper_width_dots": self.paper_width_dots,
            "encoding": self.encoding,
            "port_open": self._port.is_open,
            "health": self._health.as_json(),
            "status": query,
            "jobs_printed": self.jobs_printed,
            "reconnects": self.reconnects,
            "last_error": self.last_error,
        }

    # -- internals (called with the lock held) ----------------------------------------------

    async def _first_contact(self) -> None:
        # The status, not just the port: a printer out of paper is known before the first job.
        await self._query()

    async def _connect(self) -> None:
        try:
            await super()._connect()
        except DeviceError as exc:
            self.last_error = exc.code
            raise

    async def _opened(self) -> None:
        if self._connected_once:
            self.reconnects += 1
            log.info("printer %s reconnected", self.url)
        self._connected_once = True

    async def _lost(self, exc: DeviceError) -> None:
        log.warning("printer %s lost: %s", self.url, exc.code)
        self.last_error = exc.code
        await super()._lost(exc)

    async def _query(self, extra_timeout: float = 0.0) -> PrinterStatus:
        try:
            return await self._query_once(extra_timeout)
        except DeviceDisconnected:
            # The port vanished since the last call; the device may be back already (re-plug).
            return await self._query_once(extra_timeout)

    async def _query_once(self, extra_timeout: float) -> PrinterStatus:
        await self._ensure_open()
        port = self._port
        replies: dict[int, int | None] = {}
        try:
            port.reset_input()
            for n in (1, 2, 3, 4):
                await port.write(escpos.status_query(n))
                reply = await port.read(1, self.status_timeout + (extra_timeout if n == 1 else 0.0))
                if not reply:
                    break  # a printer that ignores one query ignores the rest: do not wait 4 times
                replies[n] = check_reply(n, reply[0])
        except ProtocolError as exc:
            port.reset_input()
            self._set_health(Health.offline(exc.code))
            self.last_error = exc.code
            log.warning("printer %s: %s", self.url, exc)
            raise
        except DeviceError as exc:
            await self._lost(exc)
            raise
        current = decode(replies)
        self.last_status = current
        self._set_health(current.health)
        return current


