"""The paper a ticket printer holds and the encoding its font reads, checked once."""

from __future__ import annotations

from dataclasses import dataclass

from terminal_drivers.printer.columns import PAPER_WIDTHS_DOTS, columns_for
from terminal_drivers.printer.escpos import SUPPORTED_ENCODINGS


@dataclass(frozen=True)
class PaperFormat:
    """80 mm paper is 576 dots wide (48 columns), 58 mm paper 384 dots (32 columns)."""

    width_dots: int = 576
    encoding: str = "gb18030"

    def __post_init__(self) -> None:
        if self.width_dots not in PAPER_WIDTHS_DOTS:
            raise ValueError(f"paper width must be one of {PAPER_WIDTHS_DOTS} dots, got {self.width_dots}")
        if self.encoding not in SUPPORTED_ENCODINGS:
            raise ValueError(f"encoding must be one of {SUPPORTED_ENCODINGS}, got {self.encoding!r}")

    @property
    def columns(self) -> int:
        """Single-width columns on a line at normal size."""
        return columns_for(self.width_dots)

    def columns_at(self, width_multiplier: int) -> int:
        """Columns on a line at a ``GS !`` width multiplier."""
        return columns_for(self.width_dots, width_multiplier)

    @property
    def qr_module(self) -> int:
        """Dots per QR module: as large as still leaves a tracking URL's symbol a margin."""
        return 6 if self.width_dots >= 576 else 5
