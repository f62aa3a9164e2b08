"""The kiosk's A4 printer: its CUPS queue watched, offered to a citizen only while it can print.

When it cannot, the kiosk says why in plain words and offers the thermal summary instead
(``A4Offer``); flows print through ``print_pdf`` and get a ``JobOutcome`` back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.config import A4PrinterConfig
from kiosk.devices import DeviceSlot, DeviceUnavailable
from kiosk.i18n import N_
from terminal_drivers.a4.job_outcome import JobOutcome
from terminal_drivers.devices import Health
from terminal_drivers.errors import DeviceError

log = logging.getLogger(__name__)

STATUS_POLL_S = 15.0
# What a citizen reads when A4 is not offered: the fault in plain words, then what to do instead.
UNAVAILABLE: dict[str, str] = {
    "not_configured": N_("This kiosk has no A4 printer."),
    "media_empty": N_("The A4 printer is out of paper."),
    "media_jam": N_("Paper is stuck in the A4 printer."),
    "door_open": N_("A door of the A4 printer is open."),
    "toner_empty": N_("The A4 printer is out of toner."),
}
UNAVAILABLE_OTHER = N_("The A4 printer is not working right now.")
FALLBACK = N_("You can print a summary on the ticket printer instead, or ask staff for help.")


@dataclass(frozen=True)
class A4Offer:
    """Whether to offer A4 now; when not, ``reason`` is the stable code and ``msgids`` the words."""

    available: bool
    reason: str | None = None

    @property
    def msgids(self) -> tuple[str, ...]:
        if self.available:
            return ()
        return (UNAVAILABLE.get(self.reason or "", UNAVAILABLE_OTHER), FALLBACK)


class KioskA4:
    """The A4 slot of the kiosk's devices: opened from ``[printers.a4]``, polled, reopened."""

    def __init__(
        self,
        config: A4PrinterConfig | None,
        *,
        retry_s: float = 2.0,
        poll_s: float = STATUS_POLL_S,
        make: Callable[[A4PrinterConfig], Any] | None = None,
    ) -> None:
        self.config = config
        self.retry_s = retry_s
        self.poll_s = poll_s
        self.slot = DeviceSlot("a4_printer", config is not None)
        if config is not None:
            self.slot.health = Health.offline("not_connected")
        self._make = make or _make_printer
        self._poke = asyncio.Event()

    def offer(self) -> A4Offer:
        """A4 for a citizen now? Degraded (low toner) still prints; offline does not."""
        if not self.slot.configured:
            return A4Offer(False, "not_configured")
        health = self.slot.live_health()
        if self.slot.driver is None or health.state == "offline":
            return A4Offer(False, health.reason or "printer_offline")
        return A4Offer(True)

    async def run(self) -> None:
        """Keep the driver open and its state fresh for as long as the kiosk runs."""
        if self.config is None:
            return
        while True:
            try:
                async with self._make(self.config) as driver:
                    self.slot.driver = driver
                    self.slot.set_health(driver.health)
                    await self._watch(driver)
            except asyncio.CancelledError:
                raise
            except DeviceError as exc:
                self.slot.set_health(Health.offline(exc.code))
                self.slot.note_error(exc.code)
            except (ImportError, OSError) as exc:
                # pycups missing, or libcups unusable: no A4 on this kiosk until it is fixed.
                self.slot.set_health(Health.offline("device_not_found"))
                self.slot.note_error(type(exc).__name__)
            finally:
                self.slot.driver = None
            await asyncio.sleep(self.retry_s)

    async def _watch(self, driver: Any) -> None:
        while True:
            try:
                await driver.status()
            except DeviceError as exc:
                self.slot.note_error(exc.code)
            self.slot.set_health(driver.health)
            self._poke.clear()
            try:
                await asyncio.wait_for(self._poke.wait(), self.poll_s)
            except TimeoutError:
                pass

    def refresh_soon(self) -> None:
        """Ask CUPS for the state now rather than at the next poll (maintenance screen opened)."""
        self._poke.set()

    async def status(self) -> Health:
        """The queue's health fresh from CUPS."""
        driver = self._driver()
        try:
            await driver.status()
        except DeviceError as exc:
            self.slot.note_error(exc.code)
        self.slot.set_health(driver.health)
        return self.slot.health

    async def print_pdf(self, data: bytes, title: str) -> JobOutcome:
        """Print one PDF (never a title with personal data); DeviceError when refused."""
        driver = self._driver()
        try:
            outcome: JobOutcome = await driver.print_pdf(data, title)
        except DeviceError as exc:
            self.slot.note_error(exc.code)
            self.slot.set_health(driver.health)
            raise
        self.slot.set_health(driver.health)
        if not outcome.ok:
            self.slot.note_error(outcome.reason or outcome.state)
        return outcome

    async def print_certificate(self, pdf: bytes, kind: str) -> JobOutcome:
        """A hall certificate (POST /records/certificate); the job is titled by its kind only, as
        CUPS keeps titles in its job list and logs."""
        return await self.print_pdf(pdf, f"certificate {kind}")

    async def print_test_page(self) -> JobOutcome:
        from terminal_drivers.a4.testpage import test_page

        queue = self.config.queue if self.config is not None else ""
        # The page is drawn in a thread: loading the CJK face takes about a second the first time.
        page = await asyncio.to_thread(test_page, queue)
        return await self.print_pdf(page, "A4 test page")

    def _driver(self) -> Any:
        driver = self.slot.driver
        if driver is None:
            reason = "not_configured" if not self.slot.configured else self.slot.health.reason
            raise DeviceUnavailable("the A4 printer is not connected", code=reason or None)
        return driver


def _make_printer(config: A4PrinterConfig) -> Any:
    from terminal_drivers.a4.cups_printer import A4Printer

    return A4Printer(config.queue, config.server, job_timeout_s=config.job_timeout_s)
