"""The technician's test page and the paper format it is laid out for, printed by the simulated printer."""

from __future__ import annotations

from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from terminal_drivers.printer.paper import PaperFormat
from terminal_drivers.printer.sheet import Sheet
from terminal_drivers.printer.testpage import test_page
from terminal_drivers.sim.printer import PrinterEngine


@pytest.mark.parametrize("width", [576, 384])
def test_test_page(width: int, artifacts_dir: Path) -> None:
    engine = PrinterEngine(out_dir=artifacts_dir / f"printer/test_page_{width}", paper_width_dots=width)
    assert engine.receive(test_page(PaperFormat(width))) == b""
    assert engine.errors == [] and engine.auto_wraps == 0
    (page,) = engine.tickets
    assert page.png_path is not None
    with Image.open(page.png_path) as image:
        assert image.width == width
        qr = [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]
    assert "堃 喆 镕" in page.text
    assert "一二三四五六七八九十" in page.text
    assert qr == [f"TEST-PAGE {width} gb18030"]


def test_gbk_printer_gets_substitutes_for_extension_a() -> None:
    job = test_page(PaperFormat(576, "gbk"))
    engine = PrinterEngine(encoding="gbk")
    engine.receive(job)
    assert engine.errors == []
    assert "堃 喆 镕" in engine.tickets[0].text


@pytest.mark.parametrize(("width", "encoding"), [(500, "gb18030"), (576, "utf-8")])
def test_paper_format_is_checked_once(width: int, encoding: str) -> None:
    with pytest.raises(ValueError):
        PaperFormat(width, encoding)


def test_paper_columns_and_qr_module() -> None:
    assert (PaperFormat(576).columns, PaperFormat(384).columns) == (48, 32)
    assert PaperFormat(576).columns_at(2) == 24
    assert (PaperFormat(576).qr_module, PaperFormat(384).qr_module) == (6, 5)


def test_a_sheet_gives_a_long_value_its_own_line_and_ends_with_a_cut() -> None:
    sheet = Sheet(PaperFormat(384))
    sheet.pairs([("姓名", "张三"), ("地点", "二楼 B 区 12 号窗口，沿扶梯上楼后向左，经过自助服务区")])
    engine = PrinterEngine(paper_width_dots=384)
    engine.receive(sheet.finish())
    assert engine.auto_wraps == 0
    lines = engine.tickets[0].text.splitlines()
    assert lines[0].startswith("姓名") and lines[0].endswith("张三")
    assert lines[1] == "地点" and lines[2].startswith("  二楼")
