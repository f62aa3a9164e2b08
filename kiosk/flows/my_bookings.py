"""A citizen's own bookings: shown once they have proved it is them (card, code or e-ID, as records
need), cancelled, or moved to another slot of the same service, with a slip for the new time that
says which booking it replaces. Slots and the calendar come from the booking flow."""

from __future__ import annotations

import logging
from collections.abc import Callable

from citizen_id.masking import mask_id_number
from hall_contract import Booking, HeldBooking, MovedBooking, Proof, Slot
from kiosk.flows.booking import BookingFlow
from kiosk.flows.offline import ActionKeys, keyed
from kiosk.flows.printing import PaperPrinter, PrintOutcome
from kiosk.hall_client import HallClient
from kiosk.hall_own_bookings import cancel_own_booking, move_own_booking, own_bookings
from kiosk.printouts.wording import printed_date
from kiosk.session import Identity

log = logging.getLogger(__name__)


def booking_when(booking: Booking, lang: str) -> str:
    """``Thu 26 Nov 2026 09:00-09:30`` (``2026年11月26日 周四 09:00-09:30``): a booking's day and time as
    screen and slip word them."""
    return f"{printed_date(booking.start.date(), lang)} {booking.start:%H:%M}-{booking.end:%H:%M}"


class MyBookingsFlow:
    """The use case behind the "My bookings" screen; what it returns is personal and is kept by the
    screen in the visit (kiosk/session.py) only."""

    def __init__(self, hall: HallClient, site: str, keys: ActionKeys | None = None) -> None:
        self.hall = hall
        self.keys = keys or ActionKeys()
        # The calendar, the slots and the slip are the booking flow's own.
        self.booking = BookingFlow(hall, site, self.keys)

    async def bookings(
        self, identity: Identity, proof: Proof | None, lang: str = "zh_Hans"
    ) -> list[HeldBooking]:
        listed = await self.hall.call(own_bookings, self.hall, identity.id_number, identity.name, proof, lang)
        return list(listed.bookings)

    async def cancel(self, booking: HeldBooking, identity: Identity, proof: Proof | None,
                     lang: str = "zh_Hans") -> Booking:
        """Cancel; a retry after a lost reply reuses the key and gets the first answer."""
        log.info("cancel %s for %s", booking.id, mask_id_number(identity.id_number))
        return await keyed(
            self.keys, ("cancel", booking.id),
            lambda key: self.hall.call(cancel_own_booking, self.hall, booking.id, identity.id_number,
                                       identity.name, proof, idempotency_key=key, lang=lang),
        )

    async def move(self, booking: HeldBooking, slot: Slot, identity: Identity, proof: Proof | None,
                   lang: str = "zh_Hans") -> MovedBooking:
        """Move to ``slot``; the hall applies every rule of a new booking, in one transaction."""
        log.info("move %s to %s for %s", booking.id, slot.id, mask_id_number(identity.id_number))
        return await keyed(
            self.keys, ("move", booking.id, slot.id),
            lambda key: self.hall.call(move_own_booking, self.hall, booking.id, slot.id, identity.id_number,
                                       identity.name, proof, idempotency_key=key, lang=lang),
        )

    async def print_slip(self, printer: PaperPrinter | None, moved: MovedBooking, replaced: Booking, *,
                         hall_name: str, lang: str, on_unreachable: Callable[[], None] | None = None,
                         ) -> PrintOutcome:
        """The booking slip for the new time, saying which booking it replaces."""
        return await self.booking.print_slip(
            printer, moved, hall_name=hall_name, lang=lang, on_unreachable=on_unreachable,
            session_name=moved.session_name, replaces=booking_when(replaced, lang),
        )
