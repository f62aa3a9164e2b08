"""What every serial driver shares: its AsyncPort and lock, health with listeners, an ``open`` that
never fails on a missing device, a ``close`` that wakes a read in progress, throttled reconnects.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from types import TracebackType
from typing import ClassVar, Self

from terminal_drivers.devices import Health
from terminal_drivers.errors import DeviceDisconnected, DeviceError
from terminal_drivers.port import DEFAULT_TIMEOUT_S, AsyncPort


class SerialDevice:
    """Base of the printer, ID reader and scanner drivers: ``async with Driver(url) as device``.

    Opening never fails on a missing device: health says offline and later calls reconnect, at
    most once per ``reconnect_interval``. Subclasses run their operations under ``_lock`` and
    call ``_ensure_open()`` first; they extend ``_opened`` (a check once the port is open) and
    ``_first_contact`` (what ``open`` does).
    """

    # Names the device in log lines: "ID reader /dev/ttyUSB0 open".
    device_label: ClassVar[str] = "device"

    def __init__(
        self,
        url: str,
        baudrate: int,
        *,
        port_timeout: float = DEFAULT_TIMEOUT_S,
        reconnect_interval: float = 1.0,
    ) -> None:
        if reconnect_interval < 0:
            raise ValueError("reconnect_interval must not be negative")
        self.url = url
        self.baudrate = baudrate
        self.reconnect_interval = reconnect_interval
        self._port = AsyncPort(url, baudrate, timeout=port_timeout)
        self._lock = asyncio.Lock()
        self._health = Health.offline("device_not_opened")
        self._listeners: list[Callable[[Health], None]] = []
        self._last_attempt = float("-inf")
        self._closed = True
        # The driver's own module logger, so log filters set per driver keep working.
        self._log = logging.getLogger(type(self).__module__)

    # -- health ----------------------------------------------------------------------------

    @property
    def health(self) -> Health:
        return self._health

    def add_health_listener(self, listener: Callable[[Health], None]) -> None:
        """Have ``listener(health)`` called on the event loop at every change of health."""
        self._listeners.append(listener)

    def _set_health(self, health: Health) -> None:
        if health != self._health:
            self._health = health
            for listener in list(self._listeners):
                listener(health)

    # -- life cycle ------------------------------------------------------------------------

    async def open(self) -> None:
        """Open the port and greet the device; a missing device leaves health offline, no error."""
        self._closed = False
        async with self._lock:
            try:
                await self._first_contact()
            except DeviceError as exc:
                self._log.warning("%s %s not available: %s", self.device_label, self.url, exc.code)

    async def close(self) -> None:
        self._closed = True
        # Closing first (not under the lock) wakes a read in progress in another task: it ends
        # with DeviceDisconnected instead of holding the lock until its timeout.
        await self._port.close()
        async with self._lock:
            await self._port.close()
            self._set_health(Health.offline("device_closed"))

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- internals (called with the lock held) ---------------------------------------------

    async def _first_contact(self) -> None:
        """What ``open`` does under the lock: connect (and whatever ``_opened`` checks)."""
        await self._connect()

    async def _connect(self) -> None:
        self._last_attempt = time.monotonic()
        try:
            await self._port.reopen()
        except DeviceError as exc:
            self._set_health(Health.offline(exc.code))
            raise
        self._log.info("%s %s open", self.device_label, self.url)
        await self._opened()

    async def _opened(self) -> None:
        """Called once the port is (re)opened; a driver checks its device here."""

    async def _ensure_open(self) -> None:
        if self._port.is_open:
            return
        if self._closed:
            raise DeviceDisconnected(f"{self.url} is closed")
        if time.monotonic() - self._last_attempt < self.reconnect_interval:
            raise DeviceDisconnected(f"{self.url} is offline; retrying soon")
        await self._connect()

    def _offline_reason(self) -> str | None:
        """What ``open`` logged when the device was not there (a polling loop's first ``_note_failure``)."""
        return self._health.reason if self._health.state == "offline" else None

    def _note_failure(self, exc: DeviceError, noted: str | None) -> str | None:
        """Log a polling loop's failure when it is news, and return the cause now noted: not the cause
        ``noted`` again at every poll of a dead line, nor the refusals of calls between two attempts to
        reopen the port (which would alternate with the cause and defeat the comparison)."""
        between_attempts = isinstance(exc, DeviceDisconnected) and not (self._port.is_open or self._closed)
        if exc.code == noted or (noted is not None and between_attempts):
            return noted
        self._log.info("%s %s: %s", self.device_label, self.url, exc.code)
        return exc.code

    async def _lost(self, exc: DeviceError) -> None:
        """The port failed under an operation: close it so the next call reconnects."""
        await self._port.close()
        self._set_health(Health.offline(exc.code))
