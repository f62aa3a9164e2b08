"""The kiosk's printouts filled in from the hall's answers: the queue ticket, the booking slip and
the record printout (one job per cut sheet), and which record columns a table of some width shows.
"""

from __future__ import annotations

from datetime import datetime

from hall_contract import Booking, RecordColumn, RecordsResult, Ticket
from kiosk.flows.priority import priority_words
from kiosk.i18n import DEFAULT_LANGUAGE, LANGUAGES
from kiosk.printouts.booking_slip import BookingSlipContent, booking_slip
from kiosk.printouts.queue_ticket import TicketContent, queue_ticket
from kiosk.printouts.records_sheet import RecordContent, record_printout
from kiosk.session import Identity
from terminal_drivers.printer.columns import display_width
from terminal_drivers.printer.paper import PaperFormat

# A cut sheet of a record printout stays short enough to tear off and hand over cleanly.
RECORD_ROWS_PER_SHEET = 20


def _lang(lang: str) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def queue_ticket_job(ticket: Ticket, *, hall_name: str, lang: str, paper: PaperFormat) -> bytes:
    content = TicketContent(
        hall_name=hall_name,
        ticket_number=ticket.number,
        service_name=ticket.service_name,
        people_ahead=ticket.people_ahead,
        estimated_wait_min=round(ticket.estimated_wait_s / 60),
        issued_at=ticket.issued_at or datetime.now().astimezone(),
        tracking_url=ticket.tracking_url,
        note=ticket.where,
        priority=priority_words(ticket.priority, _lang(lang)),
        lang=_lang(lang),
    )
    return queue_ticket(content, paper)


def booking_slip_job(
    booking: Booking,
    *,
    hall_name: str,
    lang: str,
    paper: PaperFormat,
    materials: tuple[str, ...] = (),
    session_name: str = "",
    replaces: str = "",
) -> bytes:
    """``session_name``: the hall's name of the booked session, as the slot listed it; ``replaces``:
    the day and time of the earlier booking a moved one replaces."""
    content = BookingSlipContent(
        hall_name=hall_name,
        service_name=booking.service_name,
        day=booking.start.date(),
        time_range=f"{booking.start:%H:%M}-{booking.end:%H:%M}",
        where=booking.where,
        check_in_code=booking.check_in_code,
        qr_payload=booking.qr_payload,
        session_name=session_name,
        materials=materials,
        replaces=replaces,
        lang=_lang(lang),
    )
    return booking_slip(content, paper)


def record_jobs(
    result: RecordsResult,
    identity: Identity,
    *,
    hall_name: str,
    lang: str,
    paper: PaperFormat,
    printed_at: datetime | None = None,
) -> list[bytes]:
    """The whole list, across as many cut sheets as it needs (第1/3张 …)."""
    table, constant = printed_columns(result, paper.columns)
    keys = [c.key for c in table]
    facts = shared_values(result, constant)
    content = RecordContent(
        title=result.title,
        name=identity.name,
        id_number=identity.id_number,
        columns=[c.label for c in table],
        rows=[[row.get(key, "") for key in keys] for row in result.rows],
        facts=facts,
        printed_at=printed_at or datetime.now().astimezone(),
        hall_name=hall_name,
        rows_per_sheet=RECORD_ROWS_PER_SHEET,
        lang=_lang(lang),
    )
    return record_printout(content, paper)


def shared_values(result: RecordsResult, columns: list[RecordColumn]) -> list[tuple[str, str]]:
    """(险种, 基本养老保险), (参保单位, …): the columns whose value every row shares."""
    if not result.rows:
        return []
    return [(c.label, result.rows[0].get(c.key, "")) for c in columns]


def printed_columns(
    result: RecordsResult, paper_cols: int
) -> tuple[list[RecordColumn], list[RecordColumn]]:
    """Columns for the paper table, and columns printed once below it.

    A column with the same value on every row (the employer, the insurance type) says nothing
    per row; when the table is too wide for the paper it is printed once as a note instead, so
    the varying columns keep room and months and amounts do not wrap. It goes in the head of every
    sheet, above the table, where a label and its value are laid out as a pair and never split.
    """
    columns = list(result.columns)

    def natural(column: RecordColumn) -> int:
        cells = [column.label, *(row.get(column.key, "") for row in result.rows)]
        return max(display_width(cell) for cell in cells)

    if sum(natural(c) + 1 for c in columns) <= paper_cols or len(result.rows) < 2:
        return columns, []
    constant = [c for c in columns if len({row.get(c.key, "") for row in result.rows}) == 1]
    table = [c for c in columns if c not in constant]
    if not table:
        return columns, []
    return table, constant
