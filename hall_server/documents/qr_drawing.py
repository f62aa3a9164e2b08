"""A QR code drawn as vector squares on a PDF page: sharp at any zoom and a few hundred bytes."""

from __future__ import annotations

import qrcode
from fpdf import FPDF
from qrcode.constants import ERROR_CORRECT_M


def modules(payload: str) -> list[list[bool]]:
    """The QR code's dark modules, row by row, with no quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(payload)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def draw(pdf: FPDF, payload: str, x: float, y: float, size: float) -> None:
    """The code in a ``size`` square at (x, y), with a white quiet zone of two modules inside the square."""
    grid = modules(payload)
    count = len(grid) + 4
    step = size / count
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(grid):
        c = 0
        # One rectangle per run of dark modules keeps the page's drawing operators few.
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            pdf.rect(x + (start + 2) * step, y + (r + 2) * step, (c - start) * step, step, style="F")
