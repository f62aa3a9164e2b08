"""Driver for a serial QR/barcode scanner: scans as opaque bytes, optional host trigger.

A plain scanner only talks when a code is presented, so its health is the port's: ok while the
port is open, offline when it vanishes (the next call reopens it). In trigger mode every trigger
must be acknowledged; a missing acknowledgement makes it degraded.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

from citizen_id.masking import mask_payload
from terminal_drivers.devices import Health
from terminal_drivers.errors import DeviceDisconnected, DeviceError, DeviceTimeout
from terminal_drivers.scanner.framing import (
    MAX_SCAN_LENGTH,
    TRIGGER_COMMAND,
    ScanError,
    ScanFramer,
    Terminator,
)
from terminal_drivers.serial_device import SerialDevice

log = logging.getLogger(__name__)

T = TypeVar("T")


class Scanner(SerialDevice):
    """``async with Scanner("/dev/ttyACM0") as scanner: payload = await scanner.read_scan(30)``.

    Opening never fails on a missing scanner: health says offline and later calls retry.
    """

    device_label = "scanner"

    def __init__(
        self,
        url: str,
        baudrate: int = 9600,
        *,
        terminator: Terminator = "auto",
        idle_gap_s: float | None = 0.05,
        trigger: bool = False,
        max_length: int = MAX_SCAN_LENGTH,
        reconnect_interval: float = 1.0,
        trigger_window_s: float = 5.0,
    ) -> None:
        # Validates terminator, gap and length where they are set.
        self._framer = ScanFramer(terminator, idle_gap_s=idle_gap_s, max_length=max_length)
        if reconnect_interval < 0 or trigger_window_s <= 0:
            raise ValueError("reconnect_interval must not be negative, trigger_window_s positive")
        if trigger and idle_gap_s is None:
            # The acknowledgement carries no terminator: only the idle gap ends it.
            raise ValueError("trigger mode needs an idle gap to recognise the acknowledgement")
        super().__init__(url, baudrate, reconnect_interval=reconnect_interval)
        self.terminator = terminator
        self.idle_gap_s = idle_gap_s
        self.trigger = trigger
        self.max_length = max_length
        self.trigger_window_s = trigger_window_s
        self.dropped = 0  # scans thrown away as too long
        self._ready: deque[bytes] = deque()

    async def read_scan(self, timeout: float) -> bytes:  # noqa: ASYNC109
        """The next scan's payload (terminator removed); DeviceTimeout (``scan_timeout``) when
        nobody scans within ``timeout``. In trigger mode the scanner is triggered first."""
        async with self._lock:
            if self._ready:
                return self._ready.popleft()
            await self._ensure_open()
            if self.trigger:
                await self._trigger()
            return await self._next_scan(time.monotonic() + timeout)

    async def scans(self) -> AsyncIterator[bytes]:
        """Every scan, forever; survives unplugs (health shows offline meanwhile)."""
        last_code = self._offline_reason()  # what ``open`` logged already
        while not self._closed:
            try:
                scan = await self.read_scan(self.trigger_window_s if self.trigger else 3600.0)
            except DeviceTimeout:
                continue
            except DeviceError as exc:
                last_code = self._note_failure(exc, last_code)
                await asyncio.sleep(max(self.reconnect_interval, 0.05))
                continue
            last_code = None
            yield scan

    async def diag(self) -> dict[str, Any]:
        """Settings and health for a technician (never a payload)."""
        if not self._port.is_open and not self._closed:
            async with self._lock:
                try:
                    await self._ensure_open()
                except DeviceError:
                    pass
        return {
            "url": self.url,
            "baudrate": self.baudrate,
            "terminator": self.terminator,
            "idle_gap_s": self.idle_gap_s,
            "trigger": self.trigger,
            "dropped_scans": self.dropped,
            "health": self._health.as_json(),
        }

    # -- internals (lock held) ----------------------------------------------------------------

    async def _opened(self) -> None:
        # A fresh port: nothing half-received from the last one counts.
        self._framer = ScanFramer(self.terminator, idle_gap_s=self.idle_gap_s, max_length=self.max_length)
        self._set_health(Health.ok())

    async def _trigger(self) -> None:
        acks = self._framer.acks
        await self._guard(self._port.write(TRIGGER_COMMAND))
        # The acknowledgement comes back within milliseconds; a scan may follow it at once.
        deadline = time.monotonic() + 0.5
        while self._framer.acks == acks and not self._ready:
            if not await self._pump(deadline):
                self._set_health(Health.degraded("trigger_not_acknowledged"))
                return
        if self._framer.acks > acks:
            self._set_health(Health.ok())

    async def _next_scan(self, deadline: float) -> bytes:
        while not self._ready:
            if not await self._pump(deadline):
                raise DeviceTimeout(f"{self.url}: no scan", code="scan_timeout")
        return self._ready.popleft()

    async def _pump(self, deadline: float) -> bool:
        """Read once (up to the deadline or the idle flush); False when the deadline passed."""
        now = time.monotonic()
        if now >= deadline:
            return False
        wait = deadline - now
        idle = self._framer.idle_deadline()
        if idle is not None:
            wait = max(0.0, min(wait, idle - now))
        chunk = await self._guard(self._port.read(4096, wait))
        now = time.monotonic()
        self._take(self._framer.feed(chunk, now) if chunk else self._framer.flush_idle(now))
        return True

    def _take(self, items: list[bytes | ScanError]) -> None:
        for item in items:
            if isinstance(item, ScanError):
                self.dropped += 1
                log.warning("scanner %s dropped a scan: %s (%d bytes)", self.url, item.code, item.length)
            else:
                log.info("scanner %s scanned %s", self.url, mask_payload(item))
                self._ready.append(item)

    async def _guard(self, operation: Awaitable[T]) -> T:
        try:
            return await operation
        except DeviceDisconnected as exc:
            await self._lost(exc)
            raise
