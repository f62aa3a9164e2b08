"""The blocks a printed sheet is laid out with (headings, rules, label/value pairs, QR, table
rows), each sized to the paper's columns and ending in the feed and cut."""

from __future__ import annotations

from collections.abc import Sequence

from terminal_drivers.printer import escpos
from terminal_drivers.printer.columns import (
    Justify,
    display_width,
    table_row,
    two_columns,
    wrap,
    wrap_balanced,
)
from terminal_drivers.printer.paper import PaperFormat

# Feed before the cut so the last line clears the cutter (it sits a few lines above the head).
CUT_FEED_LINES = 4
MAX_SIZE = 4


class Sheet:
    """One cut sheet being built: ``job`` is its ESC/POS builder, ``finish()`` its bytes."""

    def __init__(self, paper: PaperFormat) -> None:
        self.paper = paper
        self.cols = paper.columns
        self.job = escpos.JobBuilder(paper.encoding).init()

    def finish(self) -> bytes:
        return self.job.align("left").size().bold(False).feed(CUT_FEED_LINES).cut().build()

    def centered(self, text: str) -> None:
        self.job.align("center")
        for line in wrap_balanced(text, self.cols):
            self.job.line(line)

    def footnote(self, note: str) -> None:
        """An optional note at the foot of the sheet, set off by a blank line."""
        if note:
            self.job.line()
            self.centered(note)

    def rule(self, char: str = "-") -> None:
        self.job.align("left").line(char * self.cols)

    def heading(self, text: str) -> None:
        """A centred bold title, double height when it fits."""
        self.job.align("center").bold().size(1, 2)
        for line in wrap(text, self.cols):
            self.job.line(line)
        self.job.size().bold(False)

    def largest_size(self, text: str, limit: int = MAX_SIZE) -> int:
        """The largest ``GS !`` multiplier (up to ``limit``) at which ``text`` fits on one line."""
        for k in range(limit, 1, -1):
            if display_width(text) <= self.paper.columns_at(k):
                return k
        return 1

    def big(self, text: str, limit: int = MAX_SIZE) -> None:
        k = self.largest_size(text, limit)
        self.job.align("center").bold().size(k, k).line(text).size().bold(False)

    def qr(self, payload: str) -> None:
        # A blank line above and below keeps the symbol's quiet zone clear of text.
        self.job.align("center").line().qr(payload, self.paper.qr_module).line()

    def indented(self, text: str, first: str = "  ", rest: str = "  ") -> None:
        """``text`` wrapped inside a left margin: ``first`` before its first line, ``rest`` before
        the others (a bullet hangs when the two differ); both are as wide as the margin."""
        for i, line in enumerate(wrap(text, self.cols - display_width(rest))):
            self.job.line((rest if i else first) + line)

    def pairs(self, rows: Sequence[tuple[str, str]]) -> None:
        """Label on the left, value on the right; a value too long for that goes under its label."""
        self.job.align("left")
        for key, value in rows:
            if display_width(key) + display_width(value) + 3 <= self.cols:
                self.job.line(two_columns(key, value, self.cols))
            else:
                self.job.line(key)
                self.indented(value)

    def table_lines(self, row: Sequence[str], widths: list[int], justify: list[Justify]) -> None:
        """A table row whose long cells wrap inside their column instead of losing text."""
        wrapped = [wrap(cell, max(w, 2)) if cell else [""] for cell, w in zip(row, widths, strict=True)]
        for i in range(max(len(w) for w in wrapped)):
            parts = [w[i] if i < len(w) else "" for w in wrapped]
            self.job.line(table_row(parts, widths, justify))

    def lines(self, texts: Sequence[str]) -> None:
        """Plain left-aligned lines, each wrapped to the paper."""
        self.job.align("left")
        for text in texts:
            for line in wrap(text, self.cols):
                self.job.line(line)
