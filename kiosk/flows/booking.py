"""Booking a counter appointment: bookable services → a month of days with their sessions →
slots with places left → confirm with the visit's identity → check-in code, QR and printed slip.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable
from datetime import date

from citizen_id.masking import mask_id_number
from kiosk.flows.calendar_view import MonthView, month_view
from kiosk.flows.offline import ActionKeys, keyed
from kiosk.flows.printing import PaperPrinter, PrintOutcome, paper_of, print_jobs
from kiosk.flows.slips import booking_slip_job
from kiosk.hall_client import HallClient, HallError, HallUnreachable
from kiosk.hall_models import Booking, Service, Slot
from kiosk.session import Identity

log = logging.getLogger(__name__)


class BookingFlow:
    """The use case behind the booking screen; holds no personal data beyond one call."""

    def __init__(self, hall: HallClient, site: str, keys: ActionKeys | None = None) -> None:
        self.hall = hall
        self.site = site
        self.keys = keys or ActionKeys()

    async def services(self, q: str | None = None, lang: str = "zh_Hans") -> list[Service]:
        catalogue = await self.hall.services_async(q or None, lang)
        return [s for s in catalogue.services if s.bookable]

    async def month(self, year: int, month: int, today: date, lang: str = "zh_Hans") -> MonthView:
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        days = await self.hall.calendar_async(self.site, first, last, lang)
        return month_view(year, month, days, today)

    async def slots(self, service: str, day: date) -> list[Slot]:
        listing = await self.hall.slots_async(self.site, service, day)
        return list(listing.slots)

    async def confirm(self, service: str, slot: Slot, identity: Identity, lang: str = "zh_Hans") -> Booking:
        """Book; a retry of the same choice after a lost reply reuses the idempotency key."""
        log.info("confirming %s at %s for %s", service, slot.id, mask_id_number(identity.id_number))
        return await keyed(
            self.keys, ("booking", service, slot.id, identity.id_number),
            lambda key: self.hall.create_booking_async(
                service, slot.id, identity.id_number, identity.name, idempotency_key=key, lang=lang
            ),
        )

    async def print_slip(
        self,
        printer: PaperPrinter | None,
        booking: Booking,
        *,
        hall_name: str,
        lang: str,
        materials: tuple[str, ...] | None = None,
        on_unreachable: Callable[[], None] | None = None,
    ) -> PrintOutcome:
        """Print the slip; without ``materials`` the service's guide is asked for what to bring
        (``on_unreachable()`` is told when the hall cannot be reached for it)."""
        if materials is None:
            materials = await self.materials(booking.service_code, lang, on_unreachable)
        job = booking_slip_job(
            booking, hall_name=hall_name, lang=lang, paper=paper_of(printer), materials=materials,
        )
        return await print_jobs(printer, [job])

    async def materials(
        self, service: str, lang: str, on_unreachable: Callable[[], None] | None = None
    ) -> tuple[str, ...]:
        """What to bring, from the service's guide; none when the guide cannot be had."""
        try:
            found = await self.hall.service_async(service, lang)
        except HallError as exc:
            if isinstance(exc, HallUnreachable) and on_unreachable is not None:
                on_unreachable()
            log.info("no materials for the slip of %s: %s", service, exc.code)
            return ()
        return tuple(m.name for m in found.guide.materials) if found.guide else ()


def slot_label_time(slot: Slot) -> str:
    return f"{slot.start:%H:%M}-{slot.end:%H:%M}"

