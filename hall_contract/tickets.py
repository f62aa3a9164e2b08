"""Queue tickets: the body of ``POST /tickets`` and a ticket with its place in the line."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from hall_contract.base import Answer, Body, Text, TextOrEmpty
from hall_contract.bookings import ServiceRef

Priority = Literal["elderly", "disabled", "pregnant", "military"]


class PublicTicket(Answer):
    """A ticket as anyone holding its id may read it (``GET /tickets/{id}``, the tracking page): no
    priority class and no booking id, which say something about the person."""

    id: str
    number: str
    queue: str = ""
    service: ServiceRef = ServiceRef()
    site: str = ""
    status: str = "waiting"
    issued_at: dt.datetime | None = None
    people_ahead: int = 0
    estimated_wait_s: int = 0
    tracking_url: str = ""
    counter: str | None = None
    where: TextOrEmpty = ""
    transferred_to: str | None = None

    @property
    def service_code(self) -> str:
        return self.service.code

    @property
    def service_name(self) -> str:
        return self.service.name



class Ticket(PublicTicket):
    """A ticket as the kiosk that issued it (or checked its booking in) is answered: with its priority
    class and booking id."""

    priority: str | None = None
    booking_id: str | None = None

class TicketBody(Body):
    service: Text = Field(min_length=1, max_length=32)
    priority: Priority | None = None
    site: Text | None = Field(default=None, min_length=1, max_length=32,
                             description="staff only: the site of the ticket (kiosks use their own)")
