"""Every layout, on 58 and 80 mm paper, printed by the simulated printer: text, QR, PNG."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from terminal_drivers.printer import layouts
from terminal_drivers.printer.columns import columns_for, display_width
from terminal_drivers.sim.printer import PrinterEngine, RenderedTicket

WIDTHS = [576, 384]

TICKET = layouts.TicketContent(
    hall_name="五华区政务服务中心",
    ticket_number="A012",
    service_name="社会保险参保登记",
    people_ahead=3,
    estimated_wait_min=15,
    issued_at=datetime(2026, 11, 25, 17, 32),
    tracking_url="https://hall.example.gov.cn/t/9f3a2c1b7e",
    note="请留意叫号屏幕和语音提示，过号请重新取号。",
)
SLIP = layouts.BookingSlipContent(
    hall_name="五华区政务服务中心",
    service_name="出入境证件办理（港澳通行证）",
    day=date(2026, 11, 25),
    time_range="17:30-18:00",
    where="2楼 B区 12号窗口",
    check_in_code="482913",
    qr_payload="BK:9f3a2c1b-482913",
    session_name="周三夜市",
    materials=("居民身份证原件", "近期免冠彩色照片一张（白底），尺寸为 33mm×48mm 的标准证件照", "户口簿"),
)
ROWS = [[f"2025-{m:02d}", "城镇职工养老保险", f"{m * 101.5:,.2f}", "已缴"] for m in range(1, 13)] * 2
RECORD = layouts.RecordContent(
    title="社会保险缴费记录",
    name="张堃",
    id_number="440106199001011234",
    columns=("月份", "险种", "金额(元)", "状态"),
    rows=ROWS,
    printed_at=datetime(2026, 11, 23, 14, 5),
    hall_name="五华区政务服务中心",
    justify=("left", "left", "right", "center"),
    rows_per_sheet=10,
)


def print_all(jobs: list[bytes], width: int, out: Path) -> tuple[PrinterEngine, list[RenderedTicket]]:
    engine = PrinterEngine(out_dir=out, paper_width_dots=width)
    for job in jobs:
        assert engine.receive(job) == b""
    assert engine.errors == []
    assert engine.auto_wraps == 0, "a layout line is wider than the paper"
    return engine, engine.tickets


def decoded_qr(ticket: RenderedTicket) -> list[str]:
    assert ticket.png_path is not None
    image = Image.open(ticket.png_path).convert("L")
    return [r.text for r in zxingcpp.read_barcodes(image)]


def check_png(ticket: RenderedTicket, width: int) -> None:
    assert ticket.png_path is not None
    with Image.open(ticket.png_path) as image:
        assert image.width == width


@pytest.mark.parametrize("width", WIDTHS)
def test_queue_ticket(width: int, artifacts_dir: Path) -> None:
    _, (ticket,) = print_all(
        [layouts.queue_ticket(TICKET, width)], width, artifacts_dir / f"printer/ticket_{width}"
    )
    check_png(ticket, width)
    for words in (
        "五华区政务服务中心",
        "A012",
        "社会保险参保登记",
        "前面等候",
        "3 人",
        "约 15 分钟",
        "2026-11-25 17:32",
    ):
        assert words in ticket.text
    assert "过号请重新取号" in ticket.text.replace("\n", "").replace(" ", "")
    assert ticket.qr_payloads == [TICKET.tracking_url]
    assert decoded_qr(ticket) == [TICKET.tracking_url]


def test_ticket_number_is_printed_large() -> None:
    engine = PrinterEngine()
    engine.receive(layouts.queue_ticket(TICKET, 576))
    runs = [r for e in engine.tickets[0].printed.elements for r in getattr(e, "runs", []) if "A012" in r.text]
    assert runs and runs[0].width == runs[0].height == 4 and runs[0].bold


@pytest.mark.parametrize("lang", ["zh_Hant", "en"])
def test_queue_ticket_languages(lang: str) -> None:
    content = layouts.TicketContent(**{**TICKET.__dict__, "lang": lang, "estimated_wait_min": None})
    engine = PrinterEngine()
    engine.receive(layouts.queue_ticket(content, 576))
    text = engine.tickets[0].text
    assert ("People ahead" in text and "see the display" in text) if lang == "en" else "排隊號" in text


@pytest.mark.parametrize("width", WIDTHS)
def test_booking_slip(width: int, artifacts_dir: Path) -> None:
    _, (slip,) = print_all(
        [layouts.booking_slip(SLIP, width)], width, artifacts_dir / f"printer/slip_{width}"
    )
    check_png(slip, width)
    for words in (
        "预约凭证",
        "周三夜市",
        "2026年11月25日 周三",
        "17:30-18:00",
        "482913",
        "居民身份证原件",
        "户口簿",
    ):
        assert words in slip.text
    assert decoded_qr(slip) == [SLIP.qr_payload]


def test_booking_slip_in_english_formats_the_date() -> None:
    content = layouts.BookingSlipContent(**{**SLIP.__dict__, "lang": "en", "session_name": ""})
    engine = PrinterEngine()
    engine.receive(layouts.booking_slip(content, 576))
    assert "Wed 25 Nov 2026" in engine.tickets[0].text
    assert "Check-in code" in engine.tickets[0].text


@pytest.mark.parametrize("width", WIDTHS)
def test_record_printout_continues_over_sheets(width: int, artifacts_dir: Path) -> None:
    jobs = layouts.record_printout(RECORD, width)
    assert len(jobs) == 3
    for job in jobs:
        assert b"440106199001011234" not in job
        assert "张堃".encode("gb18030") not in job
    _, sheets = print_all(jobs, width, artifacts_dir / f"printer/record_{width}")
    assert len(sheets) == 3
    for i, sheet in enumerate(sheets, start=1):
        check_png(sheet, width)
        assert f"第{i}/3张" in sheet.text
        assert "4401**********1234" in sheet.text and "张*" in sheet.text
    assert "（续下张）" in sheets[0].text and "（以下空白）" in sheets[2].text
    printed_months = [
        line.split()[0] for s in sheets for line in s.text.splitlines() if line.startswith("2025-")
    ]
    assert printed_months == [row[0] for row in ROWS]
    cols = columns_for(width)
    assert all(display_width(line) <= cols for s in sheets for line in s.text.splitlines())


def test_record_printout_without_rows_says_so() -> None:
    content = layouts.RecordContent(**{**RECORD.__dict__, "rows": ()})
    jobs = layouts.record_printout(content, 384)
    assert len(jobs) == 1
    engine = PrinterEngine(paper_width_dots=384)
    engine.receive(jobs[0])
    assert "无记录" in engine.tickets[0].text


def test_record_cells_wrap_instead_of_losing_text() -> None:
    content = layouts.RecordContent(
        title="办件进度",
        name="李喆",
        id_number="11010519491231002X",
        columns=("事项", "进度"),
        rows=[["不动产登记（二手房转移登记及抵押权首次登记合并办理）", "已受理，待审核"]],
        printed_at=datetime(2026, 11, 23, 9, 0),
    )
    engine = PrinterEngine(paper_width_dots=384)
    engine.receive(layouts.record_printout(content, 384)[0])
    assert engine.auto_wraps == 0
    assert "抵押权首次登记合并办理" in engine.tickets[0].text.replace(" ", "").replace("\n", "")


@pytest.mark.parametrize("width", WIDTHS)
def test_text_lines(width: int, artifacts_dir: Path) -> None:
    lines = [
        "远程协助：请携带以下材料",
        "1. 身份证 ID card",
        "Line with English words that should wrap at words",
    ]
    _, (ticket,) = print_all(
        [layouts.text_lines(lines, width)], width, artifacts_dir / f"printer/lines_{width}"
    )
    assert "远程协助：请携带以下材料" in ticket.text
    assert "wrap at words" in ticket.text.replace("\n", " ")


@pytest.mark.parametrize("width", WIDTHS)
def test_test_page(width: int, artifacts_dir: Path) -> None:
    _, (page,) = print_all([layouts.test_page(width)], width, artifacts_dir / f"printer/test_page_{width}")
    check_png(page, width)
    assert "堃 喆 镕" in page.text
    assert "一二三四五六七八九十" in page.text
    assert decoded_qr(page) == [f"TEST-PAGE {width} gb18030"]


def test_gbk_printer_gets_substitutes_for_extension_a() -> None:
    job = layouts.test_page(576, encoding="gbk")
    engine = PrinterEngine(encoding="gbk")
    engine.receive(job)
    assert engine.errors == []
    assert "堃 喆 镕" in engine.tickets[0].text


def test_bad_content_is_refused() -> None:
    with pytest.raises(ValueError):
        layouts.TicketContent(**{**TICKET.__dict__, "people_ahead": -1})
    with pytest.raises(ValueError):
        layouts.TicketContent(**{**TICKET.__dict__, "lang": "fr"})
    with pytest.raises(ValueError):
        layouts.RecordContent(**{**RECORD.__dict__, "rows": [["only one cell"]]})
    with pytest.raises(ValueError):
        layouts.queue_ticket(TICKET, 500)


def test_no_wait_says_very_soon_rather_than_zero_minutes() -> None:
    content = layouts.TicketContent(**{**TICKET.__dict__, "people_ahead": 0, "estimated_wait_min": 0})
    engine = PrinterEngine()
    engine.receive(layouts.queue_ticket(content, 576))
    assert "即将叫号" in engine.tickets[0].text
    assert "0 分钟" not in engine.tickets[0].text


def test_narrow_columns_wrap_their_headers_and_keep_amounts_whole() -> None:
    content = layouts.RecordContent(
        title="缴费明细",
        name="王镕",
        id_number="440106199001011234",
        columns=("年月", "单位缴纳金额", "个人缴纳金额", "状态"),
        rows=[["2025-01", "1,000.00", "250.00", "已缴"]],
        printed_at=datetime(2026, 11, 23, 9, 0),
    )
    engine = PrinterEngine(paper_width_dots=384)
    engine.receive(layouts.record_printout(content, 384)[0])
    assert engine.errors == [] and engine.auto_wraps == 0
    text = engine.tickets[0].text
    assert "…" not in text
    assert "2025-01 1,000.00" in " ".join(text.split())
    assert "250.00" in text


def test_a_table_too_wide_for_the_paper_keeps_every_character() -> None:
    content = layouts.RecordContent(
        title="缴费明细",
        name="王镕",
        id_number="440106199001011234",
        columns=("年月", "单位缴纳金额", "个人缴纳金额", "缴费基数", "险种名称", "状态"),
        rows=[["2025-01", "1,000.00", "250.00", "5,000.00", "职工养老保险", "已缴"]],
        printed_at=datetime(2026, 11, 23, 9, 0),
    )
    engine = PrinterEngine(paper_width_dots=384)
    engine.receive(layouts.record_printout(content, 384)[0])
    assert engine.auto_wraps == 0 and "…" not in engine.tickets[0].text
    body = engine.tickets[0].text.split("-" * 32)[1]
    for char in "2025011,000.00250.005,000.00职工养老保险已缴":
        assert char in body
