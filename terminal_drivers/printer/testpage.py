"""The printer's test page, printed by a technician (kiosk-diag test-print, the maintenance screen)."""

from __future__ import annotations

from terminal_drivers.printer.paper import PaperFormat
from terminal_drivers.printer.sheet import Sheet

RARE_CHARACTERS = "堃 喆 镕 䶮 龑"


def test_page(paper: PaperFormat) -> bytes:
    """Fonts, sizes, alignment, a Hanzi ruler, rare characters and a QR: what a technician checks."""
    sheet = Sheet(paper)
    cols, job = sheet.cols, sheet.job
    sheet.heading("打印测试页 Test page")
    job.align("center").line(f"{paper.width_dots} dots · {cols} cols · {paper.encoding.upper()}")
    sheet.rule()
    job.align("left").line("ASCII " + "".join(str(i % 10) for i in range(1, cols - 5)))
    job.line("1234567890" * (cols // 10) + "1234567890"[: cols % 10])
    hanzi = "一二三四五六七八九十"
    job.line((hanzi * 5)[: cols // 2])
    job.line("罕见字 Rare: " + RARE_CHARACTERS)
    job.line("全角 ￥＄０１２ＡＢＣ")
    sheet.rule()
    job.align("left").line("左对齐 left")
    job.align("center").line("居中 center")
    job.align("right").line("右对齐 right")
    job.align("left").bold().line("粗体 Bold 0123").bold(False)
    for w, h in ((1, 1), (2, 1), (1, 2), (2, 2), (3, 3)):
        job.size(w, h).line(f"{w}x{h} 字号")
    job.size()
    sheet.rule()
    sheet.qr(f"TEST-PAGE {paper.width_dots} {paper.encoding}")
    job.align("center").line("QR M " + str(paper.qr_module) + " dots/module")
    return sheet.finish()


test_page.__test__ = False  # type: ignore[attr-defined]  # a layout, not a pytest test
