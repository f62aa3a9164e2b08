"""The booking slip: what was booked, when and where, the check-in code and QR, what to bring."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from kiosk.i18n import _
from kiosk.printouts.wording import check_lang, printed_date
from terminal_drivers.printer.paper import PaperFormat
from terminal_drivers.printer.sheet import Sheet


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
    lang: str = "zh_Hans"
    # The day and time of the earlier booking this one replaces (a moved booking), as worded.
    replaces: str = ""

    def __post_init__(self) -> None:
        check_lang(self.lang)
        if not self.check_in_code.strip():
            raise ValueError("a booking slip needs its check-in code")
        if not self.qr_payload:
            raise ValueError("a booking slip needs its check-in QR payload")


def booking_slip(content: BookingSlipContent, paper: PaperFormat) -> bytes:
    lang = content.lang
    sheet = Sheet(paper)
    job = sheet.job
    sheet.heading(content.hall_name)
    sheet.big(_("Booking slip", lang), limit=2)
    if content.replaces:
        # The earlier slip may still be in a pocket: this one says plainly that it no longer counts. The
        # earlier time has a line of its own, so that it is never cut in two.
        job.bold()
        sheet.centered(_("Replaces your earlier booking:", lang))
        sheet.centered(content.replaces)
        job.bold(False)
        sheet.centered(_("Its slip and check-in code no longer work.", lang))
    sheet.rule()
    job.align("left").bold().line(_("Service", lang)).bold(False)
    sheet.indented(content.service_name)
    rows = [(_("Date", lang), printed_date(content.day, lang))]
    if content.session_name:
        rows.append((_("Session", lang), content.session_name))
    rows += [(_("Time slot", lang), content.time_range), (_("Where", lang), content.where)]
    sheet.pairs(rows)
    sheet.rule()
    sheet.centered(_("Check-in code", lang))
    sheet.big(content.check_in_code, limit=3)
    sheet.qr(content.qr_payload)
    sheet.centered(_("At the hall, scan this or type the code at a kiosk to get your number", lang))
    if content.materials:
        sheet.rule()
        job.align("left").bold().line(_("Please bring:", lang)).bold(False)
        for item in content.materials:
            sheet.indented(item, " · ", "    ")
    sheet.footnote(content.note)
    return sheet.finish()
