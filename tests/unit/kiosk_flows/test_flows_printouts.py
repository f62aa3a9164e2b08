"""The kiosk's printouts, on 58 and 80 mm paper, printed by the simulated printer: text, QR, PNG."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from kiosk.printouts.booking_slip import BookingSlipContent, booking_slip
from kiosk.printouts.lines import text_lines
from kiosk.printouts.queue_ticket import TicketContent, queue_ticket
from kiosk.printouts.records_sheet import RecordContent, record_printout
from terminal_drivers.printer.columns import columns_for, display_width
from terminal_drivers.printer.paper import PaperFormat
from terminal_drivers.sim.printer import PrinterEngine, RenderedTicket

WIDTHS = [576, 384]
PAPER = {width: PaperFormat(width) for width in WIDTHS}

TICKET = TicketContent(
    hall_name="五华区政务服务中心",
    ticket_number="A012",
    service_name="社会保险参保登记",
    people_ahead=3,
    estimated_wait_min=15,
    issued_at=datetime(2026, 11, 25, 17, 32),
    tracking_url="https://hall.example.gov.cn/t/9f3a2c1b7e",
    note="请留意叫号屏幕和语音提示，过号请重新取号。",
)
SLIP = BookingSlipContent(
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
RECORD = RecordContent(
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
        [queue_ticket(TICKET, PAPER[width])], width, artifacts_dir / f"printer/ticket_{width}"
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
    engine.receive(queue_ticket(TICKET, PAPER[576]))
    runs = [r for e in engine.tickets[0].printed.elements for r in getattr(e, "runs", []) if "A012" in r.text]
    assert runs and runs[0].width == runs[0].height == 4 and runs[0].bold


@pytest.mark.parametrize("lang", ["zh_Hant", "en"])
def test_queue_ticket_languages(lang: str) -> None:
    content = TicketContent(**{**TICKET.__dict__, "lang": lang, "estimated_wait_min": None})
    engine = PrinterEngine()
    engine.receive(queue_ticket(content, PAPER[576]))
    text = engine.tickets[0].text
    assert ("People ahead" in text and "see the display" in text) if lang == "en" else "排隊號" in text


@pytest.mark.parametrize("width", WIDTHS)
def test_booking_slip(width: int, artifacts_dir: Path) -> None:
    _, (slip,) = print_all(
        [booking_slip(SLIP, PAPER[width])], width, artifacts_dir / f"printer/slip_{width}"
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
    content = BookingSlipContent(**{**SLIP.__dict__, "lang": "en", "session_name": ""})
    engine = PrinterEngine()
    engine.receive(booking_slip(content, PAPER[576]))
    assert "Wed 25 Nov 2026" in engine.tickets[0].text
    assert "Check-in code" in engine.tickets[0].text


@pytest.mark.parametrize("width", WIDTHS)
def test_record_printout_continues_over_sheets(width: int, artifacts_dir: Path) -> None:
    jobs = record_printout(RECORD, PAPER[width])
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
    content = RecordContent(**{**RECORD.__dict__, "rows": ()})
    jobs = record_printout(content, PAPER[384])
    assert len(jobs) == 1
    engine = PrinterEngine(paper_width_dots=384)
    engine.receive(jobs[0])
    assert "无记录" in engine.tickets[0].text


def test_record_cells_wrap_instead_of_losing_text() -> None:
    content = RecordContent(
        title="办件进度",
        name="李喆",
        id_number="11010519491231002X",
        columns=("事项", "进度"),
        rows=[["不动产登记（二手房转移登记及抵押权首次登记合并办理）", "已受理，待审核"]],
        printed_at=datetime(2026, 11, 23, 9, 0),
    )
    engine = PrinterEngine(paper_width_dots=384)
    engine.receive(record_printout(content, PAPER[384])[0])
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
        [text_lines(lines, PAPER[width])], width, artifacts_dir / f"printer/lines_{width}"
    )
    assert "远程协助：请携带以下材料" in ticket.text
    assert "wrap at words" in ticket.text.replace("\n", " ")


def test_bad_content_is_refused() -> None:
    with pytest.raises(ValueError):
        TicketContent(**{**TICKET.__dict__, "people_ahead": -1})
    with pytest.raises(ValueError):
        TicketContent(**{**TICKET.__dict__, "lang": "fr"})
    with pytest.raises(ValueError):
        RecordContent(**{**RECORD.__dict__, "rows": [["only one cell"]]})
    with pytest.raises(ValueError):
        queue_ticket(TICKET, PaperFormat(500))


def test_no_wait_says_very_soon_rather_than_zero_minutes() -> None:
    content = TicketContent(**{**TICKET.__dict__, "people_ahead": 0, "estimated_wait_min": 0})
    engine = PrinterEngine()
    engine.receive(queue_ticket(content, PAPER[576]))
    assert "即将叫号" in engine.tickets[0].text
    assert "0 分钟" not in engine.tickets[0].text


def test_narrow_columns_wrap_their_headers_and_keep_amounts_whole() -> None:
    content = RecordContent(
        title="缴费明细",
        name="王镕",
        id_number="440106199001011234",
        columns=("年月", "单位缴纳金额", "个人缴纳金额", "状态"),
        rows=[["2025-01", "1,000.00", "250.00", "已缴"]],
        printed_at=datetime(2026, 11, 23, 9, 0),
    )
    engine = PrinterEngine(paper_width_dots=384)
    engine.receive(record_printout(content, PAPER[384])[0])
    assert engine.errors == [] and engine.auto_wraps == 0
    text = engine.tickets[0].text
    assert "…" not in text
    assert "2025-01 1,000.00" in " ".join(text.split())
    assert "250.00" in text


def test_a_table_too_wide_for_the_paper_keeps_every_character() -> None:
    content = RecordContent(
        title="缴费明细",
        name="王镕",
        id_number="440106199001011234",
        columns=("年月", "单位缴纳金额", "个人缴纳金额", "缴费基数", "险种名称", "状态"),
        rows=[["2025-01", "1,000.00", "250.00", "5,000.00", "职工养老保险", "已缴"]],
        printed_at=datetime(2026, 11, 23, 9, 0),
    )
    engine = PrinterEngine(paper_width_dots=384)
    engine.receive(record_printout(content, PAPER[384])[0])
    assert engine.auto_wraps == 0 and "…" not in engine.tickets[0].text
    body = engine.tickets[0].text.split("-" * 32)[1]
    for char in "2025011,000.00250.005,000.00职工养老保险已缴":
        assert char in body


# The printouts moved from the driver package to the kiosk with their bytes unchanged: these are
# digests of the jobs the driver's layouts built for the same content (80 mm paper, GB18030).
DRIVER_LAYOUT_DIGESTS = {
    "zh_Hans": ("5f51958e70dbabbb", "d1921dc51e2fdddb", "ddaf4d85b05514b9"),
    "zh_Hant": ("ae1488adf589f999", "a81dec43566ded61", "df459fb46379ea21"),
    "en": ("2d70fcca93c8fcff", "ad5478bd2c94f21c", "76121f3610cad7e8"),
}
# The fixed words each printout says, in each language, as its paper shows them.
PRINTED_WORDS = {
    "zh_Hans": (
        ("排队号", "前面等候", "3 人", "预计等候", "约 15 分钟", "取号时间", "扫码随时查看排队进度"),
        ("预约凭证", "办理事项", "日期", "2026年11月25日 周三", "场次", "时段", "地点", "签到码",
         "到厅后在自助机扫码或输入签到码取号", "请携带："),
        ("第1/3张", "姓名", "证件号码", "打印时间", "（续下张）", "（以下空白）"),
    ),
    "zh_Hant": (
        ("排隊號", "前面等候", "3 人", "預計等候", "約 15 分鐘", "取號時間", "掃碼隨時查看排隊進度"),
        ("預約憑證", "辦理事項", "日期", "2026年11月25日 週三", "場次", "時段", "地點", "簽到碼",
         "到廳後在自助機掃碼或輸入簽到碼取號", "請攜帶："),
        ("第1/3張", "姓名", "證件號碼", "列印時間", "（續下張）", "（以下空白）"),
    ),
    "en": (
        ("Your number", "People ahead", "Estimated wait", "about 15 min", "Issued",
         "Scan to follow the queue"),
        ("Booking", "Service", "Date", "Wed 25 Nov 2026", "Session", "Time", "Where", "Check-in code",
         "At the hall, scan this or type the code at a kiosk to get your number", "Please bring:"),
        ("Sheet 1/3", "Name", "ID number", "Printed", "(continued)", "(end of list)"),
    ),
}


def _in_language(lang: str) -> list[list[bytes]]:
    return [
        [queue_ticket(TicketContent(**{**TICKET.__dict__, "lang": lang}), PAPER[576])],
        [booking_slip(BookingSlipContent(**{**SLIP.__dict__, "lang": lang}), PAPER[576])],
        record_printout(RecordContent(**{**RECORD.__dict__, "lang": lang}), PAPER[576]),
    ]


@pytest.mark.parametrize("lang", ["zh_Hans", "zh_Hant", "en"])
def test_each_language_prints_the_same_bytes_as_before_the_move(lang: str) -> None:
    digests = tuple(hashlib.sha256(b"".join(jobs)).hexdigest()[:16] for jobs in _in_language(lang))
    assert digests == DRIVER_LAYOUT_DIGESTS[lang]


@pytest.mark.parametrize("lang", ["zh_Hans", "zh_Hant", "en"])
def test_each_printout_says_its_words_in_the_citizens_language(lang: str) -> None:
    for jobs, words in zip(_in_language(lang), PRINTED_WORDS[lang], strict=True):
        engine = PrinterEngine()
        for job in jobs:
            engine.receive(job)
        text = "\n".join(ticket.text for ticket in engine.tickets)
        one_line = "".join(text.split())
        missing = [w for w in words if w not in text and "".join(w.split()) not in one_line]
        assert missing == []


def test_the_printout_follows_the_content_language_not_the_kiosks() -> None:
    from kiosk.i18n import current_language, set_language

    before = current_language()
    set_language("en")
    try:
        engine = PrinterEngine()
        engine.receive(queue_ticket(TICKET, PAPER[576]))
    finally:
        set_language(before)
    assert "排队号" in engine.tickets[0].text and "Your number" not in engine.tickets[0].text
