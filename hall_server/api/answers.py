"""The hall's answers as the contract declares them: ``where`` stays null for a service the catalogue no
longer lists (the contract reads that null as empty text), and creating routes check what they answer."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import Connection

from hall_contract import Booking, PublicTicket, Ticket
from hall_server.usecases.creating import Create, Created


class BookingAnswer(Booking):
    where: str | None = None  # type: ignore[assignment]  # wider on purpose: null passes through


class TicketAnswer(Ticket):
    where: str | None = None  # type: ignore[assignment]  # wider on purpose: null passes through


class PublicTicketAnswer(PublicTicket):
    where: str | None = None  # type: ignore[assignment]  # wider on purpose: null passes through


def answered_as(model: type[BaseModel], create: Create) -> Create:
    """``create`` with its answer checked against ``model`` inside the write transaction: FastAPI does not
    apply a route's response_model to the Response a creating route returns (an idempotent replay must
    send the first answer's very bytes), so the check is here; a mismatch answers internal_error (in a
    write transaction rolled back; after a write of one statement, ``Database.write_one``, what it wrote
    stays)."""

    def checked(conn: Connection) -> Created:
        status, result = create(conn)
        if status < 300:
            model.model_validate(result)
        return status, result

    return checked
