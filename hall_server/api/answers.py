"""Answers where the hall says a little more than the contract's kiosk side keeps: ``where`` stays null
for a service the catalogue no longer lists (the contract reads that null as empty text)."""

from __future__ import annotations

from hall_contract import Booking, Ticket


class BookingAnswer(Booking):
    where: str | None = None  # type: ignore[assignment]  # wider on purpose: null passes through


class TicketAnswer(Ticket):
    where: str | None = None  # type: ignore[assignment]  # wider on purpose: null passes through
