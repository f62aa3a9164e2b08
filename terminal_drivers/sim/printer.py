"""Simulated ESC/POS ticket printer: executes the kiosk's command subset as a printer would.

It answers ``DLE EOT n`` from its paper/cover/cutter state, stops printing (drops the data) while
out of paper, cover open or cutter jammed, and renders each cut ticket to text and PNG. Commands it
does not know are recorded in ``errors`` and logged, never silently swallowed.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from qrcode.exceptions import DataOverflowError

from terminal_drivers.printer import status as st
from terminal_drivers.printer.columns import ASCII_CELL_DOTS, PAPER_WIDTHS_DOTS, char_width
from terminal_drivers.printer.escpos_decoder import (
    CharSize,
    ChineseMode,
    Command,
    Cut,
    Emphasis,
    EscPosDecoder,
    FeedLines,
    Init,
    Issue,
    Justify,
    LineFeed,
    QrErrorLevel,
    QrModuleSize,
    QrPrint,
    QrStore,
    StatusRequest,
    Text,
)
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
        self._decoder = EscPosDecoder(encoding)
        # A simulator runs for days: memory keeps the latest tickets and errors, counters keep all
        # (with out_dir every ticket stays on disk).
        self._errors: deque[Issue] = deque(maxlen=KEEP_ERRORS)
        self._tickets: deque[RenderedTicket] = deque(maxlen=KEEP_TICKETS)
        self.ticket_count = 0
        self._unrendered: list[tuple[int, PrintedTicket, bool]] = []
        # Tickets are drawn on a thread of their own: the line thread keeps answering status queries
        # while a ticket is drawn (the first one loads the fonts, which takes seconds on a busy machine).
        self._renderer: ThreadPoolExecutor | None = None
        self._rendering: list[Future[None]] = []
        self.error_count = 0
        self.paper: PaperLevel = "ok"
        self.cover_open = False
        self.cutter_error = False
        self.dropped = 0  # characters, lines, symbols and cuts not printed while stopped
        self.status_queries = 0
        self._lines_left: int | None = None  # paper_out_after: lines until the roll ends
        self.auto_wraps = 0  # lines longer than the paper: a layout bug worth seeing
        self._elements: list[TextLine | QrBlock | Feed] = []
        self._reset_modes()
        self._line = TextLine()
        self._line_dots = 0

    # -- what tests and technicians look at -----------------------------------------------

    @property
    def tickets(self) -> list[RenderedTicket]:
        self._render_pending()
        with self._lock:
            return list(self._tickets)

    @property
    def errors(self) -> list[Issue]:
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
            reply = bytearray()
            for command in self._decoder.feed(data):
                self._execute(command, reply)
            return bytes(reply)

    def poll_output(self) -> bytes:
        with self._lock:
            if self._unrendered:
                if self._renderer is None:
                    self._renderer = ThreadPoolExecutor(1, thread_name_prefix="printer-render")
                pending, self._unrendered = self._unrendered, []
                self._rendering = [f for f in self._rendering if not f.done()]
                self._rendering += [self._renderer.submit(self._render, *item) for item in pending]
        return b""

    def control(self, command: str, args: dict[str, Any]) -> dict[str, Any]:
        if command == "tickets":
            since = args.get("since", 0)
            if not isinstance(since, int) or since < 0:
                raise SimControlError("bad_argument", "since must be a ticket count")
            self._render_pending()
            with self._lock:
                return {"tickets": [t.as_json() for t in self._tickets if t.index > since]}
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

    # -- commands -------------------------------------------------------------------------

    def _reset_modes(self) -> None:
        self.width = 1
        self.height = 1
        self.bold = False
        self.align: Alignment = "left"
        self._qr_module = 3
        self._qr_level = "M"
        self._qr_data: bytes | None = None

    def _report(self, issue: Issue) -> None:
        self._errors.append(issue)
        self.error_count += 1
        log.warning("printer: %s at byte %d: %s", issue.code, issue.offset, issue.message)

    def _execute(self, command: Command, reply: bytearray) -> None:
        match command:
            case Text(char):
                self._put(char)
            case LineFeed():
                self._print_line()
            case StatusRequest(n):
                self.status_queries += 1
                reply.append(self.status_byte(n))
            case Init():
                # ESC @ clears the line not yet printed; what is on paper stays.
                self._reset_modes()
                self._line = TextLine()
                self._line_dots = 0
            case CharSize(width, height):
                self.width, self.height = width, height
            case Justify(align):
                self.align = align
            case Emphasis(on):
                self.bold = on
            case FeedLines(lines):
                self._feed_lines(lines)
            case QrModuleSize(dots):
                self._qr_module = dots
            case QrErrorLevel(level):
                self._qr_level = level
            case QrStore(data):
                self._qr_data = data
            case QrPrint():
                if self._qr_data is None:
                    self._report(Issue("qr_no_data", self._decoder_offset(), "QR print before any data"))
                else:
                    self._print_qr(self._qr_data)
            case Cut(partial, feed_dots):
                self._cut(partial, feed_dots)
            case Issue():
                self._report(command)
            case ChineseMode():
                pass  # the decoder reads text by it; nothing changes on paper

    def _decoder_offset(self) -> int:
        return self._decoder.offset

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
            self._report(Issue("qr_unprintable", self._decoder_offset(), f"QR data cannot be encoded: {exc}"))
            return
        if too_wide:
            message = f"QR of {block.dots} dots on {self.paper_width_dots}-dot paper"
            self._report(Issue("qr_too_wide", self._decoder_offset(), message))
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
        # Rendering waits for poll_output, after the runner has sent the replies: a printer
        # answers status while it prints, and so does the simulator.
        self.ticket_count += 1
        self._unrendered.append((self.ticket_count, printed, complete))

    def _render_pending(self) -> None:
        """Every cut ticket drawn, in order: those on the drawing thread first, then those not handed to it.
        Called without the lock: the drawing thread takes it to add what it drew."""
        with self._lock:
            drawing = list(self._rendering)
        wait(drawing)
        with self._lock:
            self._rendering = [f for f in self._rendering if not f.done()]
            pending, self._unrendered = self._unrendered, []
        for item in pending:
            self._render(*item)

    def _render(self, index: int, printed: PrintedTicket, complete: bool) -> None:
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
        with self._lock:
            self._tickets.append(ticket)
        log.info("printer: cut ticket %d (%d lines)", index, ticket.text.count("\n"))
