"""Plain lines on a cut sheet: what staff print for a citizen during remote assistance (``print {lines}``)."""

from __future__ import annotations

from collections.abc import Sequence

from terminal_drivers.printer.paper import PaperFormat
from terminal_drivers.printer.sheet import Sheet


def text_lines(lines: Sequence[str], paper: PaperFormat) -> bytes:
    """Plain lines, wrapped to the paper."""
    sheet = Sheet(paper)
    sheet.lines(lines)
    return sheet.finish()
