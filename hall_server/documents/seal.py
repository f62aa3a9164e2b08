"""The hall's round red seal, drawn from code as vector paths: a ring, a star, the hall's name on an arc."""

from __future__ import annotations

import math

from fpdf import FPDF

SEAL_RED = (214, 26, 26)


def arc_positions(count: int, radius: float, span_deg: float) -> list[tuple[float, float, float]]:
    """(dx, dy, rotation) of ``count`` characters along the top arc, first on the left; dy points down."""
    if count == 1:
        return [(0.0, -radius, 0.0)]
    step = span_deg / (count - 1)
    placed = []
    for i in range(count):
        theta = 90.0 + span_deg / 2 - i * step
        rad = math.radians(theta)
        placed.append((radius * math.cos(rad), -radius * math.sin(rad), theta - 90.0))
    return placed


def draw(pdf: FPDF, cx: float, cy: float, radius: float, name: str, caption: str,
         family: str = "cjk0") -> None:
    """The seal centred at (cx, cy); the name runs clockwise over the top as on a Chinese official seal."""
    with pdf.local_context(fill_opacity=0.78, stroke_opacity=0.78):
        pdf.set_draw_color(*SEAL_RED)
        pdf.set_fill_color(*SEAL_RED)
        pdf.set_text_color(*SEAL_RED)
        pdf.set_line_width(radius * 0.06)
        pdf.circle(cx, cy, radius, style="D")
        pdf.star(cx, cy, radius * 0.11, radius * 0.28, corners=5, rotate_degrees=-90, style="F")
        size_mm = min(radius * 0.3, radius * 4.0 / max(len(name), 1))
        pdf.set_font(family, "B", size_mm / 0.3528)
        span = min(250.0, 24.0 * len(name))
        for char, (dx, dy, turn) in zip(name, arc_positions(len(name), radius * 0.7, span), strict=True):
            px, py = cx + dx, cy + dy
            with pdf.rotation(turn, px, py):
                pdf.set_xy(px - size_mm / 2, py - size_mm / 2)
                pdf.cell(size_mm, size_mm, char, align="C")
        caption_mm = radius * 0.17
        pdf.set_font(family, "B", caption_mm / 0.3528)
        pdf.set_xy(cx - radius * 0.7, cy + radius * 0.38)
        pdf.cell(radius * 1.4, caption_mm, caption, align="C")
