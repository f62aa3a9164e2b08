"""Simulated ESC/POS ticket printer: parses the kiosk's command subset byte by byte.

It answers ``DLE EOT n`` from its paper/cover/cutter state, stops printing (drops the data) while
out of paper, cover open or cutter jammed, and renders each cut ticket to text and PNG. Commands it
does not know are recorded in ``errors`` and logged, never silently swallowed.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from qrcode.exceptions import DataOverflowError

from terminal_drivers.printer import status as st
from terminal_drivers.printer.columns import ASCII_CELL_DOTS, PAPER_WIDTHS_DOTS, char_width
from terminal_drivers.sim.engine import SimControlError
from terminal_drivers.sim.ticket_render import (
    LINE_SPACING_DOTS,
    Alignment,
    Feed,
    PrintedTicket,
    QrBlock,
    TextLine,
    TextRun,
    ticket_png,
    ticket_text,
)

log = logging.getLogger(__name__)

PaperLevel = Literal["ok", "near_end", "out"]

KEEP_TICKETS = 200
KEEP_ERRORS = 500
MAX_QR_STORE = 7089 + 3  # the largest symbol (numeric, level L) plus the m byte and pL/pH slack
# fmt: off
_ALIGNMENTS: dict[int, Alignment] = {
    0: "left", 1: "center", 2: "right", 0x30: "left", 0x31: "center", 0x32: "right",
}

# Commands outside the kiosk's subset whose length is fixed: skipped whole (and reported) so the
# bytes after them are not misread as text.
_ESC_LENGTHS = {
    0x20: 3, 0x21: 3, 0x24: 4, 0x2D: 3, 0x32: 2, 0x33: 3, 0x3D: 3, 0x47: 3, 0x4A: 3, 0x4D: 3,
    0x52: 3, 0x55: 3, 0x56: 3, 0x5C: 4, 0x63: 4, 0x70: 5, 0x74: 3, 0x7B: 3,
}
_FS_LENGTHS = {0x21: 3, 0x2D: 3, 0x43: 3, 0x53: 4, 0x57: 3}
_GS_LENGTHS = {
    0x42: 3, 0x48: 3, 0x49: 3, 0x4C: 4, 0x50: 4, 0x57: 4, 0x61: 3, 0x66: 3, 0x68: 3, 0x72: 3, 0x77: 3,
}
# fmt: on


@dataclass(frozen=True)
class ParseIssue:
    """One command the simulator could not take: a stable code, where, and what."""

    code: str
    offset: int
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "offset": self.offset, "message": self.message}


@dataclass
class RenderedTicket:
    """One cut piece of paper."""

    index: int
    text: str
    png: bytes
    qr_payloads: list[str]
    partial_cut: bool
    printed: PrintedTicket
    complete: bool = True  # False: the roll ran out part-way and this stub was all that came out
    png_path: Path | None = None
    txt_path: Path | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "text": self.text,
            "qr_payloads": self.qr_payloads,
            "partial_cut": self.partial_cut,
            "complete": self.complete,
            "png_path": str(self.png_path) if self.png_path else None,
            "txt_path": str(self.txt_path) if self.txt_path else None,
        }


class _NeedMore(Exception):
    """The command at the head of the buffer is not complete yet."""


class PrinterEngine:
    """The printer as a byte engine for ``terminal_drivers.sim.runner.DeviceServer``."""

    kind = "printer"

    def __init__(
        self,
        out_dir: str | Path | None = None,
        paper_width_dots: int = 576,
        encoding: str = "gb18030",
    ) -> None:
        if paper_width_dots not in PAPER_WIDTHS_DOTS:
            raise ValueError(f"paper width must be one of {PAPER_WIDTHS_DOTS} dots")
        self.paper_width_dots = paper_width_dots
        self.encoding = encoding
        self.out_dir = Path(out_dir) if out_dir is not None else None
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._buffer = bytearray()
        self._offset = 0
        # A simulator runs for days: memory keeps the latest tickets and errors, counters keep all
        # (with out_dir every ticket stays on disk).
        self._errors: deque[ParseIssue] = deque(maxlen=KEEP_ERRORS)
        self._tickets: deque[RenderedTicket] = deque(maxlen=KEEP_TICKETS)
        self.ticket_count = 0
        self.error_count = 0
        self.paper: PaperLevel = "ok"
        self.cover_open = False
        self.cutter_error = False
        self.dropped = 0  # characters, lines, symbols and cuts not printed while stopped
        self.status_queries = 0
        self._answered_upto = 0  # stream offset up to which DLE EOT was answered in real time
        self._lines_left: int | None = None  # paper_out_after: lines until the roll ends
        self.auto_wraps = 0  # lines longer than the paper: a layout bug worth seeing
        self._elements: list[TextLine | QrBlock | Feed] = []
        self._reset_modes()
        self._line = TextLine()
        self._line_dots = 0

    # -- what tests and technicians look at -----------------------------------------------

    @property
    def tickets(self) -> list[RenderedTicket]:
        with self._lock:
            return list(self._tickets)

    @property
    def errors(self) -> list[ParseIssue]:
        with self._lock:
            return list(self._errors)

    @property
    def stopped(self) -> bool:
        """A real printer stops (and drops what it is sent) on paper end, open cover, cutter jam."""
        return self.paper == "out" or self.cover_open or self.cutter_error

    def status_byte(self, n: int) -> int:
        byte = st.FIXED_VALUE
        if n == 1 and self.stopped:
            byte |= st.OFFLINE_BIT
        elif n == 2:
            if self.cover_open:
                byte |= st.COVER_OPEN_BIT
            if self.paper == "out":
                byte |= st.PAPER_STOP_BIT
            if self.cutter_error:
                byte |= st.ERROR_BIT
        elif n == 3 and self.cutter_error:
            byte |= st.CUTTER_ERROR_BIT
        elif n == 4:
            if self.paper == "out":
                byte |= st.PAPER_END_BITS
            elif self.paper == "near_end":
                byte |= st.NEAR_END_BITS
        return byte

    # -- DeviceEngine ------------------------------------------------------------------

    def receive(self, data: bytes) -> bytes:
        with self._lock:
            self._buffer += data
            reply = bytearray()
            while self._buffer:
                try:
                    used = self._step(reply)
                except _NeedMore:
                    self._answer_while_blocked(reply)
                    break
                del self._buffer[:used]
                self._offset += used
            return bytes(reply)

    def _answer_while_blocked(self, reply: bytearray) -> None:
        """Answer ``DLE EOT n`` behind a command still waiting for its data.

        Real-time commands are executed on receipt, even inside another command's data (why a
        host must never send one there): a host that broke off a job still gets its status.
        """
        i = max(self._answered_upto - self._offset, 1)
        while True:
            i = self._buffer.find(b"\x10\x04", i)
            if i < 0 or i + 2 >= len(self._buffer):
                return
            n = self._buffer[i + 2]
            if n in (1, 2, 3, 4):
                self.status_queries += 1
                reply.append(self.status_byte(n))
                self._answered_upto = self._offset + i + 3
                i += 3
            else:
                i += 2

    def poll_output(self) -> bytes:
        return b""

    def control(self, command: str, args: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if command == "paper_near_end":
                self.paper = "near_end"
            elif command == "paper_out":
                self.paper = "out"
            elif command == "paper_ok":
                self.paper = "ok"
                self._lines_left = None
            elif command == "paper_out_after":
                lines = args.get("lines")
                if isinstance(lines, bool) or not isinstance(lines, int) or lines < 1:
                    raise SimControlError("bad_argument", "lines must be a whole number of printed lines")
                self._lines_left = lines
            elif command == "cover_open":
                self.cover_open = True
            elif command == "cover_close":
                self.cover_open = False
            elif command == "cutter_error":
                self.cutter_error = True
            elif command == "clear_errors":
                self.cutter_error = False
            elif command == "tickets":
                since = args.get("since", 0)
                if not isinstance(since, int) or since < 0:
                    raise SimControlError("bad_argument", "since must be a ticket count")
                return {"tickets": [t.as_json() for t in self._tickets if t.index > since]}
            elif command == "errors":
                return {"errors": [e.as_json() for e in self._errors]}
            elif command != "status":
                raise SimControlError("unknown_command", f"printer has no control command {command!r}")
            return self.state()

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {
                "paper": self.paper,
                "cover_open": self.cover_open,
                "cutter_error": self.cutter_error,
                "offline": self.stopped,
                "paper_width_dots": self.paper_width_dots,
                "tickets": self.ticket_count,
                "errors": self.error_count,
                "dropped": self.dropped,
                "auto_wraps": self.auto_wraps,
                "lines_until_paper_out": self._lines_left,
                "status_bytes": [f"0x{self.status_byte(n):02X}" for n in (1, 2, 3, 4)],
            }

    # -- the parser -----------------------------------------------------------------------

    def _reset_modes(self) -> None:
        self.chinese = False
        self.width = 1
        self.height = 1
        self.bold = False
        self.align: Alignment = "left"
        self._qr_module = 3
        self._qr_level = "M"
        self._qr_data: bytes | None = None

    def _report(self, code: str, message: str) -> None:
        issue = ParseIssue(code, self._offset, message)
        self._errors.append(issue)
        self.error_count += 1
        log.warning("printer: %s at byte %d: %s", code, self._offset, message)

    def _need(self, n: int) -> None:
        if len(self._buffer) < n:
            raise _NeedMore

    def _step(self, reply: bytearray) -> int:
        buf = self._buffer
        b = buf[0]
        if b == 0x0A:
            self._print_line()
            return 1
        if b == 0x0D:
            return 1  # CR: these printers advance on LF only
        if b == 0x10:
            return self._dle(reply)
        if b == 0x1B:
            return self._esc()
        if b == 0x1C:
            return self._fs()
        if b == 0x1D:
            return self._gs()
        if b < 0x20 or b == 0x7F:
            self._report("unknown_control_byte", f"control byte 0x{b:02X}")
            return 1
        return self._text()

    def _dle(self, reply: bytearray) -> int:
        self._need(2)
        if self._buffer[1] != 0x04:
            self._report("unknown_command", f"DLE 0x{self._buffer[1]:02X}")
            return 1
        self._need(3)
        n = self._buffer[2]
        if n not in (1, 2, 3, 4):
            self._report("bad_parameter", f"DLE EOT {n}")
            return 3
        if self._offset >= self._answered_upto:
            self.status_queries += 1
            reply.append(self.status_byte(n))
        return 3

    def _esc(self) -> int:
        self._need(2)
        c = self._buffer[1]
        if c == 0x40:
            self._reset_modes()
            self._line = TextLine()
            self._line_dots = 0
            return 2
        if c in (0x61, 0x45, 0x64):
            self._need(3)
            n = self._buffer[2]
            if c == 0x61:
                if n in _ALIGNMENTS:
                    self.align = _ALIGNMENTS[n]
                else:
                    self._report("bad_parameter", f"ESC a {n}")
            elif c == 0x45:
                self.bold = bool(n & 1)
            else:
                self._feed_lines(n)
            return 3
        return self._skip_known("ESC", c, _ESC_LENGTHS)

    def _fs(self) -> int:
        self._need(2)
        c = self._buffer[1]
        if c == 0x26:
            self.chinese = True
            return 2
        if c == 0x2E:
            self.chinese = False
            return 2
        return self._skip_known("FS", c, _FS_LENGTHS)

    def _skip_known(self, prefix: str, c: int, lengths: dict[int, int]) -> int:
        if c in lengths:
            self._need(lengths[c])
            self._report("unsupported_command", f"{prefix} 0x{c:02X} (skipped {lengths[c]} bytes)")
            return lengths[c]
        if c in (0x0A, 0x10, 0x1B, 0x1C, 0x1D):
            # A command cut short by the next one: drop only the prefix and read on.
            self._report("malformed_command", f"{prefix} followed by 0x{c:02X}")
            return 1
        self._report("unknown_command", f"{prefix} 0x{c:02X}")
        return 2

    def _gs(self) -> int:
        self._need(2)
        c = self._buffer[1]
        if c == 0x21:
            self._need(3)
            n = self._buffer[2]
            if n & 0x88:
                self._report("bad_parameter", f"GS ! 0x{n:02X}")
            else:
                self.width, self.height = (n >> 4) + 1, (n & 0x07) + 1
            return 3
        if c == 0x56:
            self._need(3)
            m = self._buffer[2]
            if m in (0, 1, 0x30, 0x31):
                self._cut(partial=m in (1, 0x31), feed_dots=0)
                return 3
            if m in (0x41, 0x42):
                self._need(4)
                self._cut(partial=m == 0x42, feed_dots=self._buffer[3])
                return 4
            self._report("bad_parameter", f"GS V {m}")
            return 3
        if c == 0x28:
            return self._gs_paren()
        if c == 0x6B:
            return self._skip_barcode()
        if c == 0x76:
            return self._skip_raster()
        return self._skip_known("GS", c, _GS_LENGTHS)

    def _gs_paren(self) -> int:
        self._need(5)
        group, length = self._buffer[2], self._buffer[3] | (self._buffer[4] << 8)
        if length < 2 or length > MAX_QR_STORE:
            self._report("malformed_command", f"GS ( 0x{group:02X} with length {length}")
            return 5
        self._need(5 + length)
        body = bytes(self._buffer[5 : 5 + length])
        if group != 0x6B or body[0] != 0x31:
            self._report("unsupported_command", f"GS ( 0x{group:02X} cn 0x{body[0]:02X}")
            return 5 + length
        self._qr_function(body[1], body[2:])
        return 5 + length

    def _qr_function(self, fn: int, params: bytes) -> None:
        if fn == 0x41:
            if len(params) != 2 or params[0] not in (0x31, 0x32):
                self._report("bad_parameter", "QR model")
        elif fn == 0x43:
            if len(params) == 1 and 1 <= params[0] <= 16:
                self._qr_module = params[0]
            else:
                self._report("bad_parameter", "QR module size")
        elif fn == 0x45:
            if len(params) == 1 and 0x30 <= params[0] <= 0x33:
                self._qr_level = "LMQH"[params[0] - 0x30]
            else:
                self._report("bad_parameter", "QR error level")
        elif fn == 0x50:
            if len(params) < 2 or params[0] != 0x30:
                self._report("bad_parameter", "QR store without data")
            else:
                self._qr_data = params[1:]
        elif fn == 0x51:
            if not params or params[0] != 0x30:
                self._report("bad_parameter", "QR print")
            elif self._qr_data is None:
                self._report("qr_no_data", "QR print before any data was stored")
            else:
                self._print_qr(self._qr_data)
        else:
            self._report("unsupported_command", f"QR function 0x{fn:02X}")

    def _skip_barcode(self) -> int:
        self._need(3)
        m = self._buffer[2]
        if m <= 6:
            end = self._buffer.find(0, 3)
            if end < 0:
                if len(self._buffer) > 260:
                    self._report("malformed_command", "GS k barcode without NUL")
                    return 3
                raise _NeedMore
            self._report("unsupported_command", "GS k barcode")
            return end + 1
        self._need(4)
        self._need(4 + self._buffer[3])
        self._report("unsupported_command", "GS k barcode")
        return 4 + self._buffer[3]

    def _skip_raster(self) -> int:
        self._need(8)
        x = self._buffer[4] | (self._buffer[5] << 8)
        y = self._buffer[6] | (self._buffer[7] << 8)
        if self._buffer[2] != 0x30 or x * y > 65535:
            self._report("malformed_command", "GS v raster image")
            return 3
        self._need(8 + x * y)
        self._report("unsupported_command", "GS v 0 raster image")
        return 8 + x * y

    def _text(self) -> int:
        buf = self._buffer
        b = buf[0]
        if not self.chinese or b < 0x80:
            # Outside Chinese mode a high byte is a PC437 glyph, as on a printer left in the wrong
            # mode: Hanzi then come out as Latin garbage, which a test or a technician sees.
            self._put(bytes([b]).decode("cp437"))
            return 1
        if b in (0x80, 0xFF):
            self._report("invalid_text", f"byte 0x{b:02X} starts no character")
            return 1
        self._need(2)
        size = 4 if 0x30 <= buf[1] <= 0x39 else 2
        if size == 4:
            self._need(4)
        try:
            char = bytes(buf[:size]).decode("gb18030" if self.encoding == "gb18030" else "gbk")
        except UnicodeDecodeError:
            self._report("invalid_text", f"bytes {bytes(buf[:size]).hex(' ')} are not {self.encoding}")
            return 1
        self._put(char)
        return size

    # -- the print head -------------------------------------------------------------------

    def _drop(self) -> bool:
        if self.stopped:
            self.dropped += 1
            return True
        return False

    def _put(self, char: str) -> None:
        if self._drop():
            return
        cell = char_width(char) * ASCII_CELL_DOTS * self.width
        if self._line_dots + cell > self.paper_width_dots and self._line.runs:
            self.auto_wraps += 1
            self._print_line()  # the printer wraps a full line by itself
            if self.stopped:
                return
        if not self._line.runs:
            self._line.align = self.align
        last = self._line.runs[-1] if self._line.runs else None
        if last and (last.width, last.height, last.bold) == (self.width, self.height, self.bold):
            last.text += char
        else:
            self._line.runs.append(TextRun(char, self.width, self.height, self.bold))
        self._line_dots += cell

    def _print_line(self) -> None:
        if self._drop():
            return
        self._emit(self._line)
        self._line = TextLine()
        self._line_dots = 0

    def _feed_lines(self, n: int) -> None:
        if self._drop():
            return
        if self._line.runs:
            self._print_line()
            n -= 1
        if n > 0:
            self._emit(Feed(n * LINE_SPACING_DOTS))

    def _print_qr(self, payload: bytes) -> None:
        if self._drop():
            return
        if self._line.runs:
            self._print_line()
        block = QrBlock(payload, self._qr_module, self._qr_level, self.align)
        try:
            too_wide = block.dots > self.paper_width_dots
        except (DataOverflowError, ValueError) as exc:
            self._report("qr_unprintable", f"QR data cannot be encoded: {exc}")
            return
        if too_wide:
            self._report("qr_too_wide", f"QR of {block.dots} dots on {self.paper_width_dots}-dot paper")
            return
        self._emit(block)

    def _cut(self, partial: bool, feed_dots: int) -> None:
        if self._drop():
            return
        if self._line.runs:
            self._print_line()
        if feed_dots:
            self._emit(Feed(feed_dots))
        printed = PrintedTicket(self.paper_width_dots, self._elements, partial)
        self._elements = []
        if not printed.has_content:
            return
        self._store(printed)

    def _emit(self, element: TextLine | QrBlock | Feed) -> None:
        if self.stopped:
            self.dropped += 1
            return
        self._elements.append(element)
        if self._lines_left is None:
            return
        self._lines_left -= 1
        if self._lines_left <= 0:
            # The roll ends here: what was printed comes out as an uncut stub, the rest is dropped.
            self.paper = "out"
            self._lines_left = None
            printed = PrintedTicket(self.paper_width_dots, self._elements)
            self._elements = []
            self._line = TextLine()
            self._line_dots = 0
            log.warning("printer: paper ran out during a ticket")
            if printed.has_content:
                self._store(printed, complete=False)

    def _store(self, printed: PrintedTicket, complete: bool = True) -> None:
        self.ticket_count += 1
        index = self.ticket_count
        ticket = RenderedTicket(
            index=index,
            text=ticket_text(printed),
            png=ticket_png(printed),
            qr_payloads=[p.decode("utf-8", "replace") for p in printed.qr_payloads],
            partial_cut=printed.partial_cut,
            printed=printed,
            complete=complete,
        )
        if self.out_dir is not None:
            ticket.txt_path = self.out_dir / f"{index:04d}.txt"
            ticket.png_path = self.out_dir / f"{index:04d}.png"
            ticket.txt_path.write_text(ticket.text, encoding="utf-8")
            ticket.png_path.write_bytes(ticket.png)
        self._tickets.append(ticket)
        log.info("printer: cut ticket %d (%d lines)", index, ticket.text.count("\n"))
