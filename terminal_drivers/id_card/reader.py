"""Driver for a GA/T 467 identity card reader (SAM protocol) on any port URL.

``read_once`` runs find → select → read with retries; ``watch`` polls and yields CardPlaced /
CardRemoved. A reader that vanishes makes the driver offline; the next call reopens the port
(at most once per ``reconnect_interval``), so a re-plugged reader comes back by itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from terminal_drivers.devices import Health
from terminal_drivers.errors import (
    CardReadError,
    DeviceDisconnected,
    DeviceError,
    DeviceTimeout,
    ProtocolError,
    SamError,
)
from terminal_drivers.id_card.models import CardEvent, CardPlaced, CardRemoved, IdCard
from terminal_drivers.id_card.protocol import (
    Command,
    FrameDecoder,
    FrameError,
    ReplyFrame,
    Sw3,
    build_command,
    format_sam_id,
    parse_reply,
    plausible_reply,
    reply_error,
    split_read_data,
)
from terminal_drivers.id_card.text import decode_appended_address, parse_text
from terminal_drivers.serial_device import SerialDevice

log = logging.getLogger(__name__)

# Errors a second attempt can cure: the card moved, a bit flipped on the line.
_RETRYABLE_CODES = {
    "card_select_failed",
    "card_read_failed",
    "card_authentication_failed",
    "reader_authentication_failed",
    "card_info_verification_failed",
    "frame_checksum_mismatch",
    "frame_length_invalid",
    "reader_checksum_error",
}
# Statuses that say the reader itself is unwell (its SAM), not the card on it.
_READER_STATUSES = {Sw3.SAM_SELFTEST_FAILED, Sw3.SAM_UNAUTHORISED, Sw3.UNAUTHORISED}


class IdCardReader(SerialDevice):
    """``async with IdCardReader("/dev/ttyUSB0") as reader: card = await reader.read_once()``.

    Opening never fails on a missing reader: health says offline and later calls retry. Calls
    are serialised, so ``watch`` and ``diag`` may run from different tasks.
    """

    device_label = "ID reader"

    def __init__(
        self,
        url: str,
        baudrate: int = 115200,
        *,
        timeout: float = 0.5,
        read_timeout: float = 3.0,
        retries: int = 2,
        reconnect_interval: float = 1.0,
        appended_address: bool = True,
        fingerprint: bool = False,
    ) -> None:
        if timeout <= 0 or read_timeout <= 0 or retries < 0 or reconnect_interval < 0:
            raise ValueError("timeouts must be positive and retries not negative")
        super().__init__(url, baudrate, port_timeout=timeout, reconnect_interval=reconnect_interval)
        self.timeout = timeout
        self.read_timeout = read_timeout
        self.retries = retries
        self.appended_address = appended_address
        # 30 10 instead of 30 01: only for services licensed to verify fingerprints.
        self.fingerprint = fingerprint

    # -- public operations ---------------------------------------------------------------------

    async def read_once(self, timeout: float | None = None) -> IdCard | None:  # noqa: ASYNC109
        """Find, select and read the card on the reader; None when there is none (or the card
        on it was already read and has not been lifted since).

        ``timeout`` bounds the wait for the read reply (readers take about a second). Raises
        CardReadError / SamError / ProtocolError (after retries), DeviceTimeout, DeviceDisconnected.
        """
        async with self._lock:
            return await self._read_card(self.read_timeout if timeout is None else timeout)

    async def watch(self, poll_interval: float = 0.3) -> AsyncIterator[CardEvent]:
        """Yield CardPlaced when a card is read and CardRemoved when it is lifted, forever.

        Errors never end the iteration: they show in ``health`` and the log, and polling goes
        on (reconnecting after an unplug). A card present when the reader vanishes is reported
        removed.
        """
        present = False
        last_code = self._offline_reason()  # what ``open`` logged already
        while not self._closed:
            event: CardEvent | None = None
            try:
                async with self._lock:
                    if not present:
                        card = await self._read_card(self.read_timeout)
                        event = CardPlaced(card) if card else None
                    elif not await self._still_there():
                        event = CardRemoved()
                last_code = None
            except DeviceError as exc:
                last_code = self._note_failure(exc, last_code)
                if present and self._health.state == "offline":
                    event = CardRemoved()
            if event is not None:
                present = isinstance(event, CardPlaced)
                yield event
            await asyncio.sleep(poll_interval)

    async def sam_id(self) -> str:
        """The SAM's id, e.g. ``05.01-20240101-0000123456-0987654321``."""
        async with self._lock:
            reply = await self._exchange(Command.SAM_ID, self.timeout)
            reply.raise_for_status()
            return format_sam_id(reply.data)

    async def sam_status(self) -> None:
        """Ask the SAM whether it is well; raises SamError when it is not."""
        async with self._lock:
            await self._check_sam()

    async def diag(self) -> dict[str, Any]:
        """What a technician wants to see: port, health, SAM id and status (no personal data)."""
        result: dict[str, Any] = {"url": self.url, "baudrate": self.baudrate}
        try:
            await self.sam_status()
            result["sam_status"] = "ok"
        except DeviceError as exc:
            result["sam_status"] = exc.code
        try:
            result["sam_id"] = await self.sam_id()
        except DeviceError as exc:
            result["sam_id"] = None
            result["sam_id_error"] = exc.code
        result["health"] = self._health.as_json()
        return result

    # -- internals (called with the lock held) ---------------------------------------------

    async def _opened(self) -> None:
        await self._check_sam()

    async def _check_sam(self) -> None:
        reply = await self._exchange(Command.SAM_STATUS, self.timeout)
        if reply.sw3 != Sw3.OK:
            error = reply_error(reply)
            self._set_health(Health.degraded(error.code))
            raise error

    async def _exchange(self, command: Command, timeout: float) -> ReplyFrame:  # noqa: ASYNC109
        """Send one command and wait for its reply frame; keeps ``health`` up to date."""
        await self._ensure_open()
        try:
            # Drop late bytes of an earlier, abandoned reply.
            self._port.reset_input()
            await self._port.write(build_command(command))
            reply = await self._read_reply(command, timeout)
        except DeviceDisconnected as exc:
            await self._lost(exc)
            raise
        except DeviceTimeout as exc:
            self._set_health(Health.offline(exc.code))
            raise
        except ProtocolError as exc:
            self._set_health(Health.degraded(exc.code))
            raise
        if reply.sw3 in _READER_STATUSES:
            self._set_health(Health.degraded(reply_error(reply).code))
        else:
            self._set_health(Health.ok())
        return reply

    async def _read_reply(self, command: Command, timeout: float) -> ReplyFrame:  # noqa: ASYNC109
        decoder = FrameDecoder()
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DeviceTimeout(f"{self.url}: no reply within {timeout:.1f} s")
            chunk = await self._port.read(4096, remaining)
            for item in decoder.feed(chunk):
                if isinstance(item, FrameError):
                    raise ProtocolError(f"{self.url}: {item.detail}", code=item.code)
                reply = parse_reply(item)
                if plausible_reply(command, reply):
                    return reply
                log.info("ID reader %s: dropped a late reply (SW3=%02X)", self.url, reply.sw3)

    async def _read_card(self, read_timeout: float) -> IdCard | None:
        last: DeviceError | None = None
        for attempt in range(self.retries + 1):
            try:
                return await self._attempt_read(read_timeout)
            except (CardReadError, SamError, ProtocolError) as exc:
                if exc.code not in _RETRYABLE_CODES:
                    raise
                log.info("ID reader %s: attempt %d failed (%s)", self.url, attempt + 1, exc.code)
                last = exc
        assert last is not None
        raise last

    async def _attempt_read(self, read_timeout: float) -> IdCard | None:
        found = await self._exchange(Command.FIND_CARD, self.timeout)
        if found.sw3 == Sw3.NO_CARD:
            return None
        if found.sw3 != Sw3.FIND_OK:
            raise reply_error(found)
        selected = await self._exchange(Command.SELECT_CARD, self.timeout)
        if selected.sw3 != Sw3.OK:
            raise reply_error(selected)
        command = Command.READ_WITH_FINGERPRINT if self.fingerprint else Command.READ_TEXT_PHOTO
        read = await self._exchange(command, read_timeout)
        if read.sw3 != Sw3.OK:
            raise reply_error(read)
        parts = split_read_data(read.data, with_fingerprint=self.fingerprint)
        card = parse_text(parts.text, bytearray(parts.photo))
        if parts.fingerprint:
            card = replace(card, fingerprint=bytearray(parts.fingerprint))
        if self.appended_address and card.card_type in ("resident", "hmt_residence"):
            card = replace(card, appended_address=await self._read_appended_address())
        log.info("ID reader %s read %r", self.url, card)
        return card

    async def _read_appended_address(self) -> str:
        """The address written to the card after issue (30 03); "" when there is none.

        The card is already read by then, so a failure here costs the extra address, not the card.
        """
        try:
            reply = await self._exchange(Command.READ_APPENDED_ADDRESS, self.timeout)
        except (DeviceTimeout, ProtocolError) as exc:
            log.info("ID reader %s: appended address not read (%s)", self.url, exc.code)
            return ""
        if reply.sw3 != Sw3.OK:
            return ""
        return decode_appended_address(reply.data)

    async def _still_there(self) -> bool:
        """Whether the card read last is still on the reader (find answers 80 meanwhile).

        As vendor SDKs do, ask for the appended address: a card in the field answers 90 or 91
        (nothing appended), a lifted one fails the read.
        """
        reply = await self._exchange(Command.READ_APPENDED_ADDRESS, self.timeout)
        if reply.sw3 in (Sw3.OK, Sw3.NO_CONTENT):
            return True
        if reply.sw3 in (Sw3.READ_FAILED, Sw3.SELECT_FAILED, Sw3.NO_CARD):
            return False
        raise reply_error(reply)
