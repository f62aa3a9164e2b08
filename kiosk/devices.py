"""The kiosk's peripherals: printer, ID card reader and scanner drivers, kept open and healthy.

Each device runs in its own task: opened from config, reopened after failures, its health kept
for the maintenance screen and the heartbeat; card and scan events go to the current screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from citizen_id.masking import mask_payload
from kiosk.config import A4PrinterConfig
from terminal_drivers.config import DevicesConfig
from terminal_drivers.devices import Health
from terminal_drivers.errors import DeviceError
from terminal_drivers.printer.paper import PaperFormat

log = logging.getLogger(__name__)

STATUS_POLL_S = 15.0


class DeviceUnavailable(DeviceError):
    """The device is not configured or not open right now."""

    code = "device_unavailable"


@dataclass
class DeviceSlot:
    """One peripheral: its driver when open, its last known health, its recent problems."""

    name: str
    configured: bool
    driver: Any = None
    health: Health = field(default_factory=lambda: Health.offline("not_configured"))
    errors: list[str] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def live_health(self) -> Health:
        """The driver's own health while it is open (it tracks its port), else the last known."""
        if self.driver is not None:
            health = getattr(self.driver, "health", None)
            if isinstance(health, Health):
                return health
        return self.health

    def set_health(self, health: Health) -> None:
        if health != self.health:
            log.info("%s: %s%s", self.name, health.state, f" ({health.reason})" if health.reason else "")
        self.health = health

    def note_error(self, code: str) -> None:
        self.errors = [code, *self.errors][:10]


class KioskDevices:
    """Opens the configured drivers and keeps them; ``print_job`` and ``paper`` for flows."""

    def __init__(
        self,
        config: DevicesConfig,
        *,
        retry_s: float = 2.0,
        on_card_placed: Callable[[Any], None] | None = None,
        on_card_removed: Callable[[], None] | None = None,
        on_scan: Callable[[bytes], None] | None = None,
        a4: A4PrinterConfig | None = None,
    ) -> None:
        from kiosk.a4_printing import KioskA4

        self.config = config
        self.retry_s = retry_s
        self.on_card_placed = on_card_placed
        self.on_card_removed = on_card_removed
        self.on_scan = on_scan
        self.printer = DeviceSlot("printer", config.printer is not None)
        # Read once: every printout is laid out for this paper (80 mm when no printer is fitted).
        printer = config.printer
        self.paper = PaperFormat(printer.paper_width_dots, printer.encoding) if printer else PaperFormat()
        self.id_card = DeviceSlot("id_card", config.id_card is not None)
        self.scanner = DeviceSlot("scanner", config.scanner is not None)
        # The A4 printer (a CUPS queue) when [printers.a4] names one.
        self.a4 = KioskA4(a4, retry_s=retry_s)
        self._tasks: list[asyncio.Task[None]] = []
        self._card_waiters: list[asyncio.Future[Any]] = []
        self._scan_waiters: list[asyncio.Future[bytes]] = []

    @property
    def slots(self) -> tuple[DeviceSlot, ...]:
        a4 = (self.a4.slot,) if self.a4.slot.configured else ()
        return (self.printer, self.id_card, self.scanner, *a4)

    def snapshot(self) -> dict[str, dict[str, str | None]]:
        """Device states as the heartbeat sends them."""
        return {slot.name: slot.live_health().as_json() for slot in self.slots}

    async def start(self) -> None:
        if self.printer.configured:
            self._tasks.append(asyncio.ensure_future(self._keep(self.printer, self._open_printer,
                                                                self._watch_printer)))
        if self.id_card.configured:
            self._tasks.append(asyncio.ensure_future(self._keep(self.id_card, self._open_id_card,
                                                                self._watch_cards)))
        if self.scanner.configured:
            self._tasks.append(asyncio.ensure_future(self._keep(self.scanner, self._open_scanner,
                                                                self._watch_scans)))
        if self.a4.slot.configured:
            self._tasks.append(asyncio.ensure_future(self.a4.run()))

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()

    # -- opening --

    def _open_printer(self) -> Any:
        from terminal_drivers.printer.printer import Printer

        cfg = self.config.printer
        assert cfg is not None
        paper = self.paper
        return Printer(cfg.url, cfg.baud, paper_width_dots=paper.width_dots, encoding=paper.encoding)

    def _open_id_card(self) -> Any:
        from terminal_drivers.id_card.reader import IdCardReader

        assert self.config.id_card is not None
        return IdCardReader(self.config.id_card.url, self.config.id_card.baud)

    def _open_scanner(self) -> Any:
        from terminal_drivers.scanner.scanner import Scanner

        cfg = self.config.scanner
        assert cfg is not None
        return Scanner(cfg.url, cfg.baud, terminator=cfg.terminator,  # type: ignore[arg-type]
                       idle_gap_s=cfg.idle_gap_s, trigger=cfg.trigger)

    async def _keep(self, slot: DeviceSlot, make: Callable[[], Any], watch: Callable[[Any], Any]) -> None:
        """Open, watch, and after any failure wait and open again, for as long as the kiosk runs."""
        while True:
            try:
                driver = make()
                async with driver:
                    slot.driver = driver
                    slot.set_health(getattr(driver, "health", None) or Health.ok())
                    await watch(driver)
            except asyncio.CancelledError:
                raise
            except DeviceError as exc:
                slot.set_health(Health.offline(exc.code))
                slot.note_error(exc.code)
            except (ImportError, OSError) as exc:
                slot.set_health(Health.offline("device_not_found"))
                slot.note_error(type(exc).__name__)
            finally:
                slot.driver = None
            await asyncio.sleep(self.retry_s)

    # -- watching --

    async def _watch_printer(self, printer: Any) -> None:
        while True:
            async with self.printer.lock:
                try:
                    status = await printer.status()
                    self.printer.set_health(status.health)
                except DeviceError as exc:
                    self.printer.set_health(getattr(printer, "health", None) or Health.offline(exc.code))
            await asyncio.sleep(STATUS_POLL_S)

    async def _watch_cards(self, reader: Any) -> None:
        from terminal_drivers.id_card.models import CardPlaced

        assert self.config.id_card is not None
        async for event in reader.watch(poll_interval=self.config.id_card.poll_interval_s):
            self.id_card.set_health(getattr(reader, "health", None) or Health.ok())
            if isinstance(event, CardPlaced):
                log.info("card placed")
                for waiter in self._card_waiters:
                    if not waiter.done():
                        waiter.set_result(event.card)
                self._card_waiters.clear()
                if self.on_card_placed is not None:
                    self.on_card_placed(event.card)
            else:
                log.info("card removed")
                if self.on_card_removed is not None:
                    self.on_card_removed()

    async def _watch_scans(self, scanner: Any) -> None:
        async for payload in scanner.scans():
            self.scanner.set_health(getattr(scanner, "health", None) or Health.ok())
            log.info("scan %s", mask_payload(payload))
            for waiter in self._scan_waiters:
                if not waiter.done():
                    waiter.set_result(payload)
            self._scan_waiters.clear()
            if self.on_scan is not None:
                self.on_scan(bytes(payload))

    # -- what flows and the maintenance screen use --

    async def print_job(self, data: bytes) -> Any:
        """Print one job; returns the printer's status after it. Raises DeviceError subclasses."""
        printer = self.printer.driver
        if printer is None:
            raise DeviceUnavailable("printer is not connected", code=self.printer.health.reason or None)
        async with self.printer.lock:
            try:
                status = await printer.print_job(data)
            except DeviceError as exc:
                self.printer.note_error(exc.code)
                self.printer.set_health(getattr(printer, "health", None) or Health.offline(exc.code))
                raise
            self.printer.set_health(status.health)
            return status

    async def printer_status(self) -> Any:
        printer = self.printer.driver
        if printer is None:
            raise DeviceUnavailable("printer is not connected")
        async with self.printer.lock:
            status = await printer.status()
        self.printer.set_health(status.health)
        return status

    async def next_card(self, wait_s: float) -> Any:
        """The next card placed on the reader (maintenance test read); None after ``wait_s``."""
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._card_waiters.append(waiter)
        try:
            return await asyncio.wait_for(waiter, wait_s)
        except TimeoutError:
            return None

    async def next_scan(self, wait_s: float) -> bytes | None:
        waiter: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._scan_waiters.append(waiter)
        try:
            return await asyncio.wait_for(waiter, wait_s)
        except TimeoutError:
            return None
