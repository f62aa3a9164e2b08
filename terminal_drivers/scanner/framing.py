"""Cutting a serial scanner's byte stream into scans: by terminator, by idle gap, bounded length.

Pure: the caller passes the time of each chunk, so the idle-gap rule is tested without clocks.
Payloads are opaque bytes; only the terminator bytes are interpreted. A scanner that may send CR
or LF inside a (binary) payload must be configured with ``terminator="none"`` and the idle gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Terminator = Literal["auto", "cr", "lf", "crlf", "none"]
TERMINATORS: tuple[Terminator, ...] = ("auto", "cr", "lf", "crlf", "none")
# The suffix bytes a scanner sends for each setting (what the simulator appends).
SUFFIXES: dict[str, bytes] = {"cr": b"\r", "lf": b"\n", "crlf": b"\r\n", "none": b""}
MAX_SCAN_LENGTH = 4096
# GM65-style host trigger ("command mode": scan once) and the scanner's acknowledgement.
TRIGGER_COMMAND = bytes.fromhex("7E 00 08 01 00 02 01 AB CD")
TRIGGER_ACK = bytes.fromhex("02 00 00 01 00 33 31")

CR, LF = 0x0D, 0x0A


@dataclass(frozen=True)
class ScanError:
    """A scan that was dropped; ``code`` is stable snake_case (``scan_too_long``)."""

    code: str
    length: int


class ScanFramer:
    """Feed bytes with their arrival time; get complete scans (``bytes``) and ``ScanError``s.

    ``auto`` ends a scan at CR or LF and swallows the LF of a CRLF, so no empty scan appears;
    ``cr``/``lf``/``crlf`` accept only that suffix; ``none`` relies on the idle gap alone. With
    ``idle_gap_s``, pending bytes followed by that much silence are a scan too. A scan longer than
    ``max_length`` is dropped whole and reported once. A leading trigger acknowledgement is
    removed and counted in ``acks``.
    """

    def __init__(
        self,
        terminator: Terminator = "auto",
        *,
        idle_gap_s: float | None = 0.05,
        max_length: int = MAX_SCAN_LENGTH,
    ) -> None:
        if terminator not in TERMINATORS:
            raise ValueError(f"terminator must be one of {', '.join(TERMINATORS)}")
        if terminator == "none" and idle_gap_s is None:
            raise ValueError("with no terminator an idle gap is needed to end a scan")
        if idle_gap_s is not None and idle_gap_s <= 0:
            raise ValueError("idle_gap_s must be positive")
        if max_length < 1:
            raise ValueError("max_length must be at least 1")
        self.terminator = terminator
        self.idle_gap_s = idle_gap_s
        self.max_length = max_length
        self.acks = 0
        self._ends: tuple[int, ...] = {"auto": (CR, LF), "cr": (CR,), "lf": (LF,)}.get(terminator, ())
        self._buffer = bytearray()
        self._overflow = 0  # bytes dropped from the scan in progress (0: not overflowing)
        self._last_at: float | None = None
        self._after_cr = False  # the last byte ended a scan with CR (auto: an LF may follow)
        self._held_cr = False  # crlf: a CR waits to see whether an LF follows

    @property
    def pending(self) -> bool:
        return bool(self._buffer) or self._overflow > 0 or self._held_cr

    def idle_deadline(self) -> float | None:
        """When the pending bytes become a scan by the idle rule (None: nothing pending)."""
        if not self.pending or self.idle_gap_s is None or self._last_at is None:
            return None
        return self._last_at + self.idle_gap_s

    def flush_idle(self, now: float) -> list[bytes | ScanError]:
        """End the pending scan if the line has been idle for the gap."""
        deadline = self.idle_deadline()
        if deadline is None or now < deadline:
            return []
        return self._end_scan()

    def feed(self, data: bytes, now: float) -> list[bytes | ScanError]:
        out = self.flush_idle(now)
        if data:
            self._last_at = now
        for byte in data:
            if self.terminator == "crlf":
                out += self._crlf(byte)
            elif self._after_cr and byte == LF and self.terminator == "auto":
                self._after_cr = False
            elif byte in self._ends:
                out += self._end_scan()
                self._after_cr = byte == CR
            else:
                self._after_cr = False
                self._append(byte)
        return out

    def _crlf(self, byte: int) -> list[bytes | ScanError]:
        if self._held_cr:
            self._held_cr = False
            if byte == LF:
                return self._end_scan()
            self._append(CR)
        if byte == CR:
            self._held_cr = True
        else:
            self._append(byte)
        return []

    def _append(self, byte: int) -> None:
        if self._overflow:
            self._overflow += 1
            return
        self._buffer.append(byte)
        if len(self._buffer) > self.max_length:
            self._overflow = len(self._buffer)
            self._buffer.clear()

    def _end_scan(self) -> list[bytes | ScanError]:
        if self._held_cr:
            # crlf mode: a CR with no LF after it before the line went idle is payload.
            self._held_cr = False
            self._append(CR)
        if self._overflow:
            length, self._overflow = self._overflow, 0
            return [ScanError("scan_too_long", length)]
        scan = bytes(self._buffer)
        self._buffer.clear()
        if scan.startswith(TRIGGER_ACK):
            self.acks += 1
            scan = scan[len(TRIGGER_ACK) :]
        return [scan] if scan else []
