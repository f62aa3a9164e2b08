"""What the kiosk prints, built from the hall's answers with the printer's layouts: the queue
ticket, the booking slip and the record printout (one job per cut sheet).
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from kiosk.flows.words import session_name
from kiosk.hall_models import Booking, RecordsResult, Ticket
from kiosk.session import Identity
from terminal_drivers.printer.labels import Lang
from terminal_drivers.printer.layouts import (
    BookingSlipContent,
    RecordContent,
    TicketContent,
    booking_slip,
    queue_ticket,
    record_printout,
)

# A cut sheet of a record printout stays short enough to tear off and hand over cleanly.
RECORD_ROWS_PER_SHEET = 20


def _lang(lang: str) -> Lang:
    return cast(Lang, lang if lang in ("zh_Hans", "zh_Hant", "en") else "zh_Hans")


def queue_ticket_job(ticket: Ticket, *, hall_name: str, lang: str, width_dots: int = 576) -> bytes:
    content = TicketContent(
        hall_name=hall_name,
        ticket_number=ticket.number,
        service_name=ticket.service_name,
        people_ahead=ticket.people_ahead,
        estimated_wait_min=round(ticket.estimated_wait_s / 60),
        issued_at=ticket.issued_at or datetime.now().astimezone(),
        tracking_url=ticket.tracking_url,
        note=ticket.where,
        lang=_lang(lang),
    )
    return queue_ticket(content, width_dots)


def booking_slip_job(
    booking: Booking,
    *,
    hall_name: str,
    lang: str,
    width_dots: int = 576,
    materials: tuple[str, ...] = (),
) -> bytes:
    content = BookingSlipContent(
        hall_name=hall_name,
        service_name=booking.service_name,
        day=booking.start.date(),
        time_range=f"{booking.start:%H:%M}-{booking.end:%H:%M}",
        where=booking.where,
        check_in_code=booking.check_in_code,
        qr_payload=booking.qr_payload,
        session_name=session_name(booking.session, lang),
        materials=materials,
        lang=_lang(lang),
    )
    return booking_slip(content, width_dots)


def record_jobs(
    result: RecordsResult,
    identity: Identity,
    *,
    hall_name: str,
    lang: str,
    width_dots: int = 576,
    printed_at: datetime | None = None,
) -> list[bytes]:
    """The whole list, across as many cut sheets as it needs (第1/3张 …)."""
    keys = [c.key for c in result.columns]
    content = RecordContent(
        title=result.title,
        name=identity.name,
        id_number=identity.id_number,
        columns=[c.label for c in result.columns],
        rows=[[row.get(key, "") for key in keys] for row in result.rows],
        printed_at=printed_at or datetime.now().astimezone(),
        hall_name=hall_name,
        rows_per_sheet=RECORD_ROWS_PER_SHEET,
        lang=_lang(lang),
    )
    return record_printout(content, width_dots)
