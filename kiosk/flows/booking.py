"""Booking a counter appointment: bookable services → a month of days with their sessions →
slots with places left → confirm with the visit's identity → check-in code, QR and printed slip.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from citizen_id.masking import mask_id_number
from hall_contract import Booking, Service, SessionTime, Slot
from kiosk.flows.calendar_view import DayView, MonthView, month_range, month_view, session_rule
from kiosk.flows.guides import material_text
from kiosk.flows.offline import ActionKeys, keyed
from kiosk.flows.printing import PaperPrinter, PrintOutcome, paper_of, print_jobs
from kiosk.flows.slips import booking_slip_job
from kiosk.hall_client import HallClient, HallError, HallUnreachable
from kiosk.session import Identity

log = logging.getLogger(__name__)


class BookingFlow:
    """The use case behind the booking screen; holds no personal data beyond one call."""

    def __init__(self, hall: HallClient, site: str, keys: ActionKeys | None = None) -> None:
        self.hall = hall
        self.site = site
        self.keys = keys or ActionKeys()

    async def services(self, q: str | None = None, lang: str = "zh_Hans") -> list[Service]:
        catalogue = await self.hall.call(self.hall.services, q or None, lang)
        return [s for s in catalogue.services if s.bookable]

    async def month(self, year: int, month: int, lang: str = "zh_Hans") -> MonthView:
        """A month of the calendar as the hall plans it, with how far ahead it takes bookings."""
        first, last = month_range(year, month)
        answer = await self.hall.call(self.hall.calendar, self.site, first, last, lang)
        return month_view(year, month, answer)

    async def slots(self, service: str, day: date, lang: str = "zh_Hans") -> list[Slot]:
        listing = await self.hall.call(self.hall.slots, self.site, service, day, lang)
        return list(listing.slots)

    async def confirm(self, service: str, slot: Slot, identity: Identity, lang: str = "zh_Hans") -> Booking:
        """Book; a retry of the same choice after a lost reply reuses the idempotency key."""
        log.info("confirming %s at %s for %s", service, slot.id, mask_id_number(identity.id_number))
        return await keyed(
            self.keys, ("booking", service, slot.id, identity.id_number),
            lambda key: self.hall.call(
                self.hall.create_booking, service, slot.id, identity.id_number, identity.name,
                idempotency_key=key, lang=lang,
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
        session_name: str = "",
        replaces: str = "",
    ) -> PrintOutcome:
        """Print the slip; without ``materials`` the service's guide is asked for what to bring
        (``on_unreachable()`` is told when the hall cannot be reached for it). ``session_name`` is
        the hall's name of the booked session; ``replaces`` the day and time of the booking this one
        replaces (a moved booking)."""
        if materials is None:
            materials = await self.materials(booking.service_code, lang, on_unreachable)
        job = booking_slip_job(
            booking, hall_name=hall_name, lang=lang, paper=paper_of(printer), materials=materials,
            session_name=session_name, replaces=replaces,
        )
        return await print_jobs(printer, [job])

    async def materials(
        self, service: str, lang: str, on_unreachable: Callable[[], None] | None = None
    ) -> tuple[str, ...]:
        """What to bring, each with when it is needed, from the service's guide; none when the guide
        cannot be had."""
        try:
            found = await self.hall.call(self.hall.service, service, lang)
        except HallError as exc:
            if isinstance(exc, HallUnreachable) and on_unreachable is not None:
                on_unreachable()
            log.info("no materials for the slip of %s: %s", service, exc.code)
            return ()
        # Each with its condition: a slip that asks everyone for what only some need misleads.
        return tuple(material_text(m, lang) for m in found.guide.materials) if found.guide else ()


def slot_label_time(slot: Slot) -> str:
    return f"{slot.start:%H:%M}-{slot.end:%H:%M}"


def slot_groups(slots: list[Slot], day: DayView) -> list[tuple[str, list[Slot]]]:
    """The day's slots under headings, one per session, in the hall's order: the session's name,
    its own hours and its cut-off (``<name> 17:00-21:00 · 当天12:00前预约``).

    A slot belongs to the session whose hours hold its start, not to the first of that name: two
    sessions of a day may share a name (``工作日办理`` morning and afternoon) and each has its hours.
    """
    groups: dict[tuple[str, str], tuple[SessionTime | None, list[Slot]]] = {}
    for slot in slots:
        session = _session_of(slot, day)
        name = slot.session_name or slot.session
        key = (session.name, session.start) if session is not None else (name, "")
        groups.setdefault(key, (session, []))[1].append(slot)
    headed = []
    for session, members in groups.values():
        if session is None:
            headed.append((members[0].session_name or members[0].session, members))
            continue
        heading = f"{session.name} {session.start}-{session.end}"
        rule = session_rule(session, day.date)
        if rule:
            heading += " · " + rule
        headed.append((heading, members))
    return headed


def _session_of(slot: Slot, day: DayView) -> SessionTime | None:
    begins = f"{slot.start:%H:%M}"
    holding = [s for s in day.sessions if s.start <= begins < s.end]
    # Of the sessions holding the slot's start, the one the hall named for it.
    named = [s for s in holding if s.name == slot.session_name]
    found = named or holding
    return found[0] if found else None
