"""What the kiosk prints: queue ticket, booking slip, record printout, plain lines, test page.

Each layout takes a content dataclass and the paper width in dots (576 for 80 mm, 384 for 58 mm)
and returns ESC/POS job bytes for ``Printer.print_job`` (a record printout: one job per cut sheet).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from citizen_id.masking import mask_id_number, mask_name
from terminal_drivers.printer import escpos
from terminal_drivers.printer.columns import (
    PAPER_WIDTHS_DOTS,
    Justify,
    columns_for,
    display_width,
    fit_widths,
    table_row,
    two_columns,
    wrap,
    wrap_balanced,
)
from terminal_drivers.printer.labels import Lang, check_lang, format_date, format_time, label

# Feed before the cut so the last line clears the cutter (it sits a few lines above the head).
CUT_FEED_LINES = 4
MAX_SIZE = 4


def _check_width(width_dots: int) -> None:
    if width_dots not in PAPER_WIDTHS_DOTS:
        raise ValueError(f"paper width must be one of {PAPER_WIDTHS_DOTS} dots, got {width_dots}")


def _qr_module(width_dots: int) -> int:
    return 6 if width_dots >= 576 else 5


def _largest_size(text: str, width_dots: int, limit: int = MAX_SIZE) -> int:
    """The largest ``GS !`` multiplier (up to ``limit``) at which ``text`` fits on one line."""
    for k in range(limit, 1, -1):
        if display_width(text) <= columns_for(width_dots, k):
            return k
    return 1


def _start(encoding: str) -> escpos.JobBuilder:
    return escpos.JobBuilder(encoding).init()


def _finish(job: escpos.JobBuilder) -> bytes:
    return job.align("left").size().bold(False).feed(CUT_FEED_LINES).cut().build()


def _centered(job: escpos.JobBuilder, text: str, cols: int) -> None:
    job.align("center")
    for line in wrap_balanced(text, cols):
        job.line(line)


def _footnote(job: escpos.JobBuilder, note: str, cols: int) -> None:
    """The hall's optional note at the foot of a ticket or slip, set off by a blank line."""
    if note:
        job.line()
        _centered(job, note, cols)


def _rule(job: escpos.JobBuilder, cols: int, char: str = "-") -> None:
    job.align("left").line(char * cols)


def _heading(job: escpos.JobBuilder, text: str, width_dots: int) -> None:
    """A centred bold title, double height when it fits."""
    cols = columns_for(width_dots)
    job.align("center").bold().size(1, 2)
    for line in wrap(text, cols):
        job.line(line)
    job.size().bold(False)


def _big(job: escpos.JobBuilder, text: str, width_dots: int, limit: int = MAX_SIZE) -> None:
    k = _largest_size(text, width_dots, limit)
    job.align("center").bold().size(k, k).line(text).size().bold(False)


def _qr(job: escpos.JobBuilder, payload: str, width_dots: int) -> None:
    # A blank line above and below keeps the symbol's quiet zone clear of text.
    job.align("center").line().qr(payload, _qr_module(width_dots)).line()


def _indented(job: escpos.JobBuilder, text: str, cols: int, first: str = "  ", rest: str = "  ") -> None:
    """``text`` wrapped inside a left margin: ``first`` before its first line, ``rest`` before the
    others (a bullet hangs when the two differ); both are as wide as the margin."""
    for i, line in enumerate(wrap(text, cols - display_width(rest))):
        job.line((rest if i else first) + line)


def _pairs(job: escpos.JobBuilder, rows: Sequence[tuple[str, str]], cols: int) -> None:
    """Label on the left, value on the right; a value too long for that goes under its label."""
    job.align("left")
    for key, value in rows:
        if display_width(key) + display_width(value) + 3 <= cols:
            job.line(two_columns(key, value, cols))
        else:
            job.line(key)
            _indented(job, value, cols)


# -- queue ticket -------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketContent:
    hall_name: str
    ticket_number: str
    service_name: str
    people_ahead: int
    estimated_wait_min: int | None
    issued_at: datetime
    tracking_url: str
    note: str = ""
    lang: Lang = "zh_Hans"

    def __post_init__(self) -> None:
        check_lang(self.lang)
        if not self.ticket_number.strip():
            raise ValueError("a ticket needs its number")
        if self.people_ahead < 0:
            raise ValueError("people_ahead cannot be negative")
        if self.estimated_wait_min is not None and self.estimated_wait_min < 0:
            raise ValueError("estimated_wait_min cannot be negative")


def queue_ticket(content: TicketContent, width_dots: int, *, encoding: str = "gb18030") -> bytes:
    _check_width(width_dots)
    cols = columns_for(width_dots)
    lang = content.lang
    job = _start(encoding)
    _heading(job, content.hall_name, width_dots)
    _centered(job, label("ticket_title", lang), cols)
    _big(job, content.ticket_number, width_dots)
    job.bold()
    _centered(job, content.service_name, cols)
    job.bold(False)
    _rule(job, cols)
    if content.estimated_wait_min is None:
        wait = label("wait_unknown", lang)
    elif content.estimated_wait_min == 0:
        wait = label("wait_soon", lang)
    else:
        wait = label("minutes", lang, n=content.estimated_wait_min)
    _pairs(
        job,
        [
            (label("people_ahead", lang), label("people_unit", lang, n=content.people_ahead)),
            (label("estimated_wait", lang), wait),
            (label("issued_at", lang), format_time(content.issued_at)),
        ],
        cols,
    )
    _rule(job, cols)
    _qr(job, content.tracking_url, width_dots)
    _centered(job, label("scan_to_track", lang), cols)
    _footnote(job, content.note, cols)
    return _finish(job)


# -- booking slip -------------------------------------------------------------------------


@dataclass(frozen=True)
class BookingSlipContent:
    hall_name: str
    service_name: str
    day: date
    time_range: str
    where: str
    check_in_code: str
    qr_payload: str
    session_name: str = ""
    materials: Sequence[str] = field(default_factory=tuple)
    note: str = ""
    lang: Lang = "zh_Hans"

    def __post_init__(self) -> None:
        check_lang(self.lang)
        if not self.check_in_code.strip():
            raise ValueError("a booking slip needs its check-in code")
        if not self.qr_payload:
            raise ValueError("a booking slip needs its check-in QR payload")


def booking_slip(content: BookingSlipContent, width_dots: int, *, encoding: str = "gb18030") -> bytes:
    _check_width(width_dots)
    cols = columns_for(width_dots)
    lang = content.lang
    job = _start(encoding)
    _heading(job, content.hall_name, width_dots)
    _big(job, label("slip_title", lang), width_dots, limit=2)
    _rule(job, cols)
    job.align("left").bold().line(label("service", lang)).bold(False)
    _indented(job, content.service_name, cols)
    rows = [(label("date", lang), format_date(content.day, lang))]
    if content.session_name:
        rows.append((label("session", lang), content.session_name))
    rows += [(label("time", lang), content.time_range), (label("where", lang), content.where)]
    _pairs(job, rows, cols)
    _rule(job, cols)
    _centered(job, label("check_in_code", lang), cols)
    _big(job, content.check_in_code, width_dots, limit=3)
    _qr(job, content.qr_payload, width_dots)
    _centered(job, label("check_in_hint", lang), cols)
    if content.materials:
        _rule(job, cols)
        job.align("left").bold().line(label("bring", lang) + ("：" if lang != "en" else ":")).bold(False)
        for item in content.materials:
            _indented(job, item, cols, " · ", "    ")
    _footnote(job, content.note, cols)
    return _finish(job)


# -- record printout ------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordContent:
    """A list of records; ``name`` and ``id_number`` are masked on paper by the layout itself."""

    title: str
    name: str
    id_number: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    printed_at: datetime
    hall_name: str = ""
    justify: Sequence[Justify] = ()
    note: str = ""
    rows_per_sheet: int = 20
    lang: Lang = "zh_Hans"

    def __post_init__(self) -> None:
        check_lang(self.lang)
        if not self.columns:
            raise ValueError("a record printout needs columns")
        if any(len(r) != len(self.columns) for r in self.rows):
            raise ValueError("every row needs one cell per column")
        if self.justify and len(self.justify) != len(self.columns):
            raise ValueError("justify needs one entry per column")
        if self.rows_per_sheet < 1:
            raise ValueError("rows_per_sheet must be at least 1")


def record_printout(content: RecordContent, width_dots: int, *, encoding: str = "gb18030") -> list[bytes]:
    """One job per cut sheet; a long list continues over sheets marked 第1/3张."""
    _check_width(width_dots)
    cols = columns_for(width_dots)
    lang = content.lang
    justify: list[Justify] = list(content.justify) or ["left"] * len(content.columns)
    cells = [[str(c) for c in row] for row in content.rows]
    widths = fit_widths([[h, *(row[i] for row in cells)] for i, h in enumerate(content.columns)], cols)
    per = content.rows_per_sheet
    sheets = [cells[i : i + per] for i in range(0, len(cells), per)] or [[]]
    jobs: list[bytes] = []
    for number, sheet in enumerate(sheets, start=1):
        job = _start(encoding)
        if content.hall_name:
            _centered(job, content.hall_name, cols)
        _heading(job, content.title, width_dots)
        if len(sheets) > 1:
            _centered(job, label("sheet", lang, i=number, n=len(sheets)), cols)
        _pairs(
            job,
            [
                (label("name", lang), mask_name(content.name)),
                (label("id_number", lang), mask_id_number(content.id_number)),
                (label("printed_at", lang), format_time(content.printed_at)),
            ],
            cols,
        )
        _rule(job, cols, "=")
        job.align("left").bold()
        _table_lines(job, list(content.columns), widths, ["left"] * len(widths))
        job.bold(False)
        _rule(job, cols)
        if not sheet:
            _centered(job, label("no_records", lang), cols)
        for row in sheet:
            _table_lines(job, row, widths, justify)
        _rule(job, cols)
        last = number == len(sheets)
        _centered(job, label("end_of_list" if last else "continued", lang), cols)
        if last and content.note:
            _centered(job, content.note, cols)
        jobs.append(_finish(job))
    return jobs


def _table_lines(job: escpos.JobBuilder, row: list[str], widths: list[int], justify: list[Justify]) -> None:
    """A row whose long cells wrap inside their column instead of losing text."""
    wrapped = [wrap(cell, max(w, 2)) if cell else [""] for cell, w in zip(row, widths, strict=True)]
    for i in range(max(len(w) for w in wrapped)):
        parts = [w[i] if i < len(w) else "" for w in wrapped]
        job.line(table_row(parts, widths, justify))


# -- plain lines and the test page ----------------------------------------------------------


def text_lines(lines: Sequence[str], width_dots: int, *, encoding: str = "gb18030") -> bytes:
    """Plain lines, wrapped to the paper (remote assistance's ``print {lines}``)."""
    _check_width(width_dots)
    cols = columns_for(width_dots)
    job = _start(encoding).align("left")
    for text in lines:
        for line in wrap(text, cols):
            job.line(line)
    return _finish(job)


RARE_CHARACTERS = "堃 喆 镕 䶮 龑"


def test_page(width_dots: int, *, encoding: str = "gb18030") -> bytes:
    """Fonts, sizes, alignment, a Hanzi ruler, rare characters and a QR: what a technician checks."""
    _check_width(width_dots)
    cols = columns_for(width_dots)
    job = _start(encoding)
    _heading(job, "打印测试页 Test page", width_dots)
    job.align("center").line(f"{width_dots} dots · {cols} cols · {encoding.upper()}")
    _rule(job, cols)
    job.align("left").line("ASCII " + "".join(str(i % 10) for i in range(1, cols - 5)))
    job.line("1234567890" * (cols // 10) + "1234567890"[: cols % 10])
    hanzi = "一二三四五六七八九十"
    job.line((hanzi * 5)[: cols // 2])
    job.line("罕见字 Rare: " + RARE_CHARACTERS)
    job.line("全角 ￥＄０１２ＡＢＣ")
    _rule(job, cols)
    job.align("left").line("左对齐 left")
    job.align("center").line("居中 center")
    job.align("right").line("右对齐 right")
    job.align("left").bold().line("粗体 Bold 0123").bold(False)
    for w, h in ((1, 1), (2, 1), (1, 2), (2, 2), (3, 3)):
        job.size(w, h).line(f"{w}x{h} 字号")
    job.size()
    _rule(job, cols)
    _qr(job, f"TEST-PAGE {width_dots} {encoding}", width_dots)
    job.align("center").line("QR M " + str(_qr_module(width_dots)) + " dots/module")
    return _finish(job)


test_page.__test__ = False  # type: ignore[attr-defined]  # a layout, not a pytest test
