"""What the simulated printer put on paper, rendered as text and as a PNG a technician can look at.

The PNG is the paper width in dots (576 for 80 mm, 384 for 58 mm) with font A cells: 12×24 ASCII
and 24×24 Hanzi from Noto Sans CJK SC, scaled by the ``GS !`` multipliers like a printer scales
its bitmap font; QR codes are drawn module by module at the commanded module size.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass, field
from typing import Literal

import qrcode
import qrcode.constants
from PIL import Image, ImageDraw, ImageFont

import gov_fonts
from terminal_drivers.printer.columns import ASCII_CELL_DOTS, char_width

FONT_REGULAR = gov_fonts.REGULAR
FONT_BOLD = gov_fonts.BOLD

GLYPH_DOTS = 24
LINE_SPACING_DOTS = 30  # ESC 2 default: 1/6 inch at 180 dpi, about 3.75 mm
MARGIN_DOTS = 12

Alignment = Literal["left", "center", "right"]

_QR_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


@dataclass
class TextRun:
    text: str
    width: int = 1
    height: int = 1
    bold: bool = False

    @property
    def dots(self) -> int:
        return sum(char_width(c) for c in self.text) * ASCII_CELL_DOTS * self.width


@dataclass
class TextLine:
    runs: list[TextRun] = field(default_factory=list)
    align: Alignment = "left"

    @property
    def dots(self) -> int:
        return sum(r.dots for r in self.runs)

    @property
    def height_dots(self) -> int:
        tallest = max((r.height for r in self.runs), default=1)
        return max(LINE_SPACING_DOTS, GLYPH_DOTS * tallest + 6)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class QrBlock:
    payload: bytes
    module_size: int = 3
    error_level: str = "M"
    align: Alignment = "left"

    def matrix(self) -> list[list[bool]]:
        """The symbol's modules, smallest version that holds the payload, no quiet zone."""
        code = qrcode.QRCode(
            version=None, error_correction=_QR_LEVELS[self.error_level], box_size=1, border=0
        )
        code.add_data(self.payload, optimize=0)
        code.make(fit=True)
        return [list(row) for row in code.get_matrix()]

    @property
    def dots(self) -> int:
        return len(self.matrix()) * self.module_size


@dataclass
class Feed:
    dots: int


Element = TextLine | QrBlock | Feed


@dataclass
class PrintedTicket:
    """Everything between two cuts, in the order it came out of the print head."""

    width_dots: int
    elements: list[Element] = field(default_factory=list)
    partial_cut: bool = False

    @property
    def has_content(self) -> bool:
        return any(isinstance(e, QrBlock) or (isinstance(e, TextLine) and e.runs) for e in self.elements)

    @property
    def qr_payloads(self) -> list[bytes]:
        return [e.payload for e in self.elements if isinstance(e, QrBlock)]


def _offset(align: Alignment, used: int, width: int) -> int:
    if align == "center":
        return max((width - used) // 2, 0)
    if align == "right":
        return max(width - used, 0)
    return 0


def ticket_text(ticket: PrintedTicket) -> str:
    """The ticket as lines of text, columns placed as on paper (one column = 12 dots)."""
    lines: list[str] = []
    for element in ticket.elements:
        if isinstance(element, TextLine):
            pad = _offset(element.align, element.dots, ticket.width_dots) // ASCII_CELL_DOTS
            lines.append((" " * pad + element.text).rstrip() if element.runs else "")
        elif isinstance(element, QrBlock):
            label = "[QR " + element.payload.decode("utf-8", "replace") + "]"
            pad = _offset(element.align, element.dots, ticket.width_dots) // ASCII_CELL_DOTS
            lines.append(" " * pad + label)
        else:
            lines.extend([""] * (element.dots // LINE_SPACING_DOTS))
    return "\n".join(lines).rstrip("\n") + "\n"


@functools.lru_cache(maxsize=4)
def _font(bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_BOLD if bold else FONT_REGULAR), GLYPH_DOTS)


@functools.lru_cache(maxsize=4096)
def _glyph(char: str, bold: bool) -> Image.Image:
    """One character in its font A cell (12 or 24 dots wide, 24 high), black on white."""
    cell_w = char_width(char) * ASCII_CELL_DOTS
    font = _font(bold)
    left, _, right, _ = font.getbbox(char, anchor="ls")
    ink_w = max(int(right - left + 0.5), 1)
    canvas = Image.new("L", (max(ink_w, cell_w), GLYPH_DOTS), 255)
    # The CJK em box sits 0.88 em above the baseline: baseline at 21 of 24 dots.
    x = (canvas.width - ink_w) // 2 - int(left)
    ImageDraw.Draw(canvas).text((x, 21), char, font=font, fill=0, anchor="ls")
    if canvas.width != cell_w:
        # Proportional Latin glyphs wider than the 12-dot cell are squeezed into it, as a
        # printer's fixed-pitch font would draw them.
        canvas = canvas.resize((cell_w, GLYPH_DOTS), Image.Resampling.LANCZOS)
    return canvas


def _draw_line(page: Image.Image, line: TextLine, top: int, width: int) -> None:
    x = _offset(line.align, line.dots, width)
    tallest = max((r.height for r in line.runs), default=1)
    baseline_top = top + 3 + GLYPH_DOTS * tallest
    for run in line.runs:
        for char in run.text:
            glyph = _glyph(char, run.bold)
            if run.width != 1 or run.height != 1:
                glyph = glyph.resize(
                    (glyph.width * run.width, glyph.height * run.height), Image.Resampling.NEAREST
                )
            if x + glyph.width > width:
                return
            page.paste(glyph, (x, baseline_top - glyph.height))
            x += glyph.width


def _draw_qr(page: Image.Image, block: QrBlock, top: int, width: int) -> None:
    matrix = block.matrix()
    size = block.module_size
    left = _offset(block.align, len(matrix) * size, width)
    draw = ImageDraw.Draw(page)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                x, y = left + c * size, top + r * size
                draw.rectangle((x, y, x + size - 1, y + size - 1), fill=0)


def _height(element: Element) -> int:
    if isinstance(element, TextLine):
        return element.height_dots
    if isinstance(element, QrBlock):
        # The printer leaves a little paper below a symbol; part of its quiet zone.
        return element.dots + 8
    return element.dots


def ticket_image(ticket: PrintedTicket) -> Image.Image:
    """The paper as a 1-bit image ``width_dots`` wide."""
    height = MARGIN_DOTS * 2 + sum(_height(e) for e in ticket.elements)
    page = Image.new("L", (ticket.width_dots, max(height, MARGIN_DOTS * 2)), 255)
    top = MARGIN_DOTS
    for element in ticket.elements:
        if isinstance(element, TextLine):
            _draw_line(page, element, top, ticket.width_dots)
        elif isinstance(element, QrBlock):
            _draw_qr(page, element, top, ticket.width_dots)
        top += _height(element)
    return page.point(lambda v: 255 if v >= 128 else 0).convert("1")


def ticket_png(ticket: PrintedTicket) -> bytes:
    buffer = io.BytesIO()
    ticket_image(ticket).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
