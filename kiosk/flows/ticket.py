"""Taking a queue ticket: a walk-in for a service (with an optional priority class) or the
check-in of a booking by ID card, booking QR or typed check-in code; then the printed ticket with
its tracking QR.
"""

from __future__ import annotations

import logging

from pydantic import ValidationError

from citizen_id.masking import mask_id_number, mask_payload
from hall_contract import CheckInBody, Service, Ticket
from kiosk.flows.offline import ActionKeys, keyed
from kiosk.flows.printing import PaperPrinter, PrintOutcome, paper_of, print_jobs
from kiosk.flows.priority import PRIORITIES
from kiosk.flows.slips import queue_ticket_job
from kiosk.hall_client import HallClient, HallError
from kiosk.session import Identity

log = logging.getLogger(__name__)


class NotABookingCode(ValueError):
    code = "invalid_qr_payload"


class TicketFlow:
    def __init__(self, hall: HallClient, keys: ActionKeys | None = None) -> None:
        self.hall = hall
        self.keys = keys or ActionKeys()

    async def services(self, lang: str = "zh_Hans", q: str | None = None) -> list[Service]:
        catalogue = await self.hall.call(self.hall.services, q or None, lang)
        return [s for s in catalogue.services if s.queue]

    async def walk_in(self, service: str, priority: str | None = None, lang: str = "zh_Hans") -> Ticket:
        if priority is not None and priority not in PRIORITIES:
            raise ValueError(f"unknown priority {priority!r}")
        ticket = await keyed(
            self.keys, ("ticket", service, priority),
            lambda key: self.hall.call(
                self.hall.create_ticket, service, idempotency_key=key, priority=priority, lang=lang
            ),
        )
        log.info("ticket %s for %s", ticket.number, service)
        return ticket

    async def print_ticket(
        self, printer: PaperPrinter | None, ticket: Ticket, *, hall_name: str, lang: str
    ) -> PrintOutcome:
        """Print the issued ticket; a failed print leaves the ticket in the queue all the same."""
        job = queue_ticket_job(ticket, hall_name=hall_name, lang=lang, paper=paper_of(printer))
        return await print_jobs(printer, [job])

    async def check_in_identity(self, identity: Identity, lang: str = "zh_Hans") -> Ticket:
        log.info("check-in by ID %s", mask_id_number(identity.id_number))
        return await keyed(
            self.keys, ("check_in_id", identity.id_number),
            lambda key: self.hall.call(
                self.hall.check_in, idempotency_key=key, id_number=identity.id_number, lang=lang
            ),
        )

    async def check_in_code(self, code: str, lang: str = "zh_Hans") -> Ticket:
        """Check in by the 6-digit code on the booking slip, typed at the kiosk."""
        return await keyed(
            self.keys, ("check_in_code", code),
            lambda key: self.hall.call(
                self.hall.check_in, idempotency_key=key, check_in_code=code, lang=lang
            ),
        )

    async def check_in_qr(self, payload: bytes | str, lang: str = "zh_Hans") -> Ticket:
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
        text = text.strip()
        try:
            # What the contract refuses (empty, too long, control characters) is no booking QR.
            CheckInBody(qr_payload=text or None)
        except ValidationError:
            log.info("scanned code is not a booking QR: %s", mask_payload(text))
            raise NotABookingCode("the scanned code is not a booking QR code") from None
        try:
            return await keyed(
                self.keys, ("check_in_qr", text),
                lambda key: self.hall.call(
                    self.hall.check_in, idempotency_key=key, qr_payload=text, lang=lang
                ),
            )
        except HallError as exc:
            # The hall tells a booking's QR from anything else a scanner reads.
            if exc.code != "invalid_qr_payload":
                raise
            log.info("scanned code is not a booking QR: %s", mask_payload(text))
            raise NotABookingCode("the scanned code is not a booking QR code") from exc
