"""The queue ticket: the hall, the number in large print, people ahead, the wait and a tracking QR."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.i18n import _
from kiosk.printouts.wording import check_lang, printed_time
from terminal_drivers.printer.paper import PaperFormat
from terminal_drivers.printer.sheet import Sheet


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
    # A green-channel ticket's mark: (the class, what to show the clerk); empty for a normal ticket.
    priority: tuple[str, str] | None = None
    lang: str = "zh_Hans"

    def __post_init__(self) -> None:
        check_lang(self.lang)
        if not self.ticket_number.strip():
            raise ValueError("a ticket needs its number")
        if self.people_ahead < 0:
            raise ValueError("people_ahead cannot be negative")
        if self.estimated_wait_min is not None and self.estimated_wait_min < 0:
            raise ValueError("estimated_wait_min cannot be negative")


def queue_ticket(content: TicketContent, paper: PaperFormat) -> bytes:
    lang = content.lang
    sheet = Sheet(paper)
    sheet.heading(content.hall_name)
    sheet.centered(_("Queue number", lang))
    sheet.big(content.ticket_number)
    sheet.job.bold()
    sheet.centered(content.service_name)
    if content.priority is not None:
        group, proof = content.priority
        sheet.rule()
        sheet.centered(group)
        sheet.job.bold(False)
        sheet.centered(proof)
    sheet.job.bold(False)
    sheet.rule()
    if content.estimated_wait_min is None:
        wait = _("see the display", lang)
    elif content.estimated_wait_min == 0:
        wait = _("very soon", lang)
    else:
        wait = _("about {n} min", lang).format(n=content.estimated_wait_min)
    sheet.pairs(
        [
            (_("People ahead", lang), _("{n} people", lang).format(n=content.people_ahead)),
            (_("Estimated wait", lang), wait),
            (_("Issued", lang), printed_time(content.issued_at)),
        ]
    )
    sheet.rule()
    sheet.qr(content.tracking_url)
    sheet.centered(_("Scan to follow the queue", lang))
    sheet.footnote(content.note)
    return sheet.finish()
