"""Decoding of ``DLE EOT n`` real-time status replies into one ``PrinterStatus`` (pure).

Every reply byte has the fixed pattern 0xx1xx10 (bit 7 clear, bit 4 set, bit 1 set, bit 0 clear);
a byte that breaks it is not a status (noise, a garbled line, another device) and is rejected.
A query with no reply leaves that part unknown: an unanswered printer is never "paper OK".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from terminal_drivers.devices import Health
from terminal_drivers.errors import (
    CoverOpen,
    CutterError,
    DeviceError,
    PaperOut,
    PrinterOffline,
    PrinterStatusUnknown,
    ProtocolError,
)

PaperState = Literal["ok", "near_end", "out", "unknown"]

FIXED_MASK = 0x93
FIXED_VALUE = 0x12

# n=1 printer status
OFFLINE_BIT = 0x08
# n=2 offline cause
COVER_OPEN_BIT = 0x04
PAPER_STOP_BIT = 0x20
ERROR_BIT = 0x40
# n=3 error cause
CUTTER_ERROR_BIT = 0x08
UNRECOVERABLE_BIT = 0x20
AUTO_RECOVERABLE_BIT = 0x40
# n=4 roll paper sensors (two bits each: printers set both, some set one)
NEAR_END_BITS = 0x0C
PAPER_END_BITS = 0x60


def check_reply(n: int, byte: int) -> int:
    """Return ``byte`` when it is a well-formed reply to ``DLE EOT n``; raise ProtocolError if not."""
    if n not in (1, 2, 3, 4):
        raise ValueError(f"DLE EOT takes 1-4, got {n}")
    if not 0 <= byte <= 0xFF or byte & FIXED_MASK != FIXED_VALUE:
        raise ProtocolError(f"status reply 0x{byte & 0xFF:02X} to DLE EOT {n} breaks pattern 0xx1xx10")
    return byte


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said about itself; ``None`` fields were not answered."""

    paper: PaperState = "unknown"
    cover_open: bool | None = None
    cutter_error: bool | None = None
    offline: bool | None = None
    paper_stop: bool | None = None
    error: bool | None = None
    unrecoverable_error: bool | None = None
    auto_recoverable_error: bool | None = None
    raw: tuple[int | None, int | None, int | None, int | None] = (None, None, None, None)

    @property
    def answered(self) -> bool:
        """Every one of the four queries got a reply."""
        return all(b is not None for b in self.raw)

    @property
    def blocking_error(self) -> DeviceError | None:
        """The error a job would be refused with, or None when the printer is ready."""
        if not self.answered:
            missing = [n for n, b in enumerate(self.raw, start=1) if b is None]
            return PrinterStatusUnknown(f"no reply to DLE EOT {missing}")
        if self.cover_open:
            return CoverOpen("printer cover is open")
        if self.paper == "out" or self.paper_stop:
            return PaperOut("paper roll is empty")
        if self.cutter_error:
            return CutterError("cutter jammed or failed")
        if self.offline or self.error or self.unrecoverable_error or self.auto_recoverable_error:
            return PrinterOffline("printer is offline or in error")
        return None

    @property
    def health(self) -> Health:
        blocking = self.blocking_error
        if blocking is not None:
            return Health.offline(blocking.code)
        if self.paper == "near_end":
            return Health.degraded("paper_near_end")
        return Health.ok()

    def as_json(self) -> dict[str, Any]:
        """For diagnostics and the maintenance screen."""
        return {
            "paper": self.paper,
            "cover_open": self.cover_open,
            "cutter_error": self.cutter_error,
            "offline": self.offline,
            "paper_stop": self.paper_stop,
            "error": self.error,
            "unrecoverable_error": self.unrecoverable_error,
            "auto_recoverable_error": self.auto_recoverable_error,
            "raw": [None if b is None else f"0x{b:02X}" for b in self.raw],
            "health": self.health.as_json(),
        }


def decode(replies: Mapping[int, int | None]) -> PrinterStatus:
    """Combine the replies to ``DLE EOT 1..4`` (missing or None = not answered) into a status.

    Raises ProtocolError for a byte that is not a status reply.
    """
    r = {n: replies.get(n) for n in (1, 2, 3, 4)}
    for n, byte in r.items():
        if byte is not None:
            check_reply(n, byte)
    b1, b2, b3, b4 = r[1], r[2], r[3], r[4]

    paper: PaperState = "unknown"
    if b4 is not None:
        if b4 & PAPER_END_BITS:
            paper = "out"
        elif b4 & NEAR_END_BITS:
            paper = "near_end"
        else:
            paper = "ok"

    def bit(byte: int | None, mask: int) -> bool | None:
        return None if byte is None else bool(byte & mask)

    return PrinterStatus(
        paper=paper,
        cover_open=bit(b2, COVER_OPEN_BIT),
        cutter_error=bit(b3, CUTTER_ERROR_BIT),
        offline=bit(b1, OFFLINE_BIT),
        paper_stop=bit(b2, PAPER_STOP_BIT),
        error=bit(b2, ERROR_BIT),
        unrecoverable_error=bit(b3, UNRECOVERABLE_BIT),
        auto_recoverable_error=bit(b3, AUTO_RECOVERABLE_BIT),
        raw=(b1, b2, b3, b4),
    )
