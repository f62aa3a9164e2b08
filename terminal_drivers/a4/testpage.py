"""The A4 printer's test page: a one-page PDF made here with fpdf2 in the kiosk's Noto Sans CJK face."""

from __future__ import annotations

from functools import lru_cache

from fpdf import FPDF

import gov_fonts

# The kiosk ships this face (DESIGN §7); a page in a system font would prove nothing about names.
FONT = gov_fonts.REGULAR
TITLE = "A4 打印测试页 Test page"
RARE_CHARACTERS = "堃 喆 镕 䶮 龑"
PLAIN_MARK = "Kiosk A4 test page"


def test_page(queue: str = "") -> bytes:
    """What a technician checks on paper: Chinese and rare name characters, margins, a ruler."""
    return _page(queue)


@lru_cache(maxsize=4)
def _page(queue: str) -> bytes:
    # Loading the 16 MB face takes about a second: a page is made once per queue and process,
    # so a technician's second tap prints at once.
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(TITLE)
    pdf.set_creator("gov-kiosk")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("noto", fname=str(FONT))
    pdf.set_font("noto", size=22)
    pdf.set_xy(20, 20)
    pdf.cell(text=TITLE)
    # One line in a PDF core font: PDF printers that turn CJK faces into outlines (cups-pdf through
    # Ghostscript) keep it as text, so a technician or a test can search the output for the queue.
    pdf.set_font("helvetica", size=12)
    pdf.set_xy(20, 30)
    pdf.cell(text=f"{PLAIN_MARK} - queue {queue or '(default)'}")
    pdf.set_font("noto", size=12)
    lines = [
        f"打印队列 Queue: {queue or '(default)'}",
        "纸张 A4 · 210 × 297 mm · 边距 Margins 10 mm",
        "中文 汉字 一二三四五六七八九十",
        "繁體 臺灣 齊 龍 鬱",
        f"罕见字 Rare: {RARE_CHARACTERS}",
        "全角 ￥＄０１２ＡＢＣ  ASCII 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    ]
    y = 40.0
    for line in lines:
        pdf.set_xy(20, y)
        pdf.cell(text=line)
        y += 10
    # A frame 10 mm inside the sheet and a centimetre ruler: a technician measures what was cut off.
    pdf.set_line_width(0.3)
    pdf.rect(10, 10, 190, 277)
    for cm in range(19):
        x = 10 + cm * 10
        pdf.line(x, 287, x, 282 if cm % 5 == 0 else 284)
    pdf.set_font("noto", size=8)
    pdf.set_xy(12, 276)
    pdf.cell(text="0 cm … 18 cm")
    return bytes(pdf.output())


test_page.__test__ = False  # type: ignore[attr-defined]  # a layout, not a pytest test
