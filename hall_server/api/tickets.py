"""Ticket routes: walk-in tickets (``POST /tickets``) and a ticket's place in line (``GET /tickets/{id}``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from hall_contract import TicketBody
from hall_server.api.answers import PublicTicketAnswer, TicketAnswer, answered_as
from hall_server.api.auth import KIOSK_OR_STAFF, Caller, hall_of
from hall_server.api.languages import Lang
from hall_server.middleware.idempotency import create_in_writer
from hall_server.usecases import tickets

router = APIRouter(tags=["tickets"])
TICKET_ID = Path(min_length=3, max_length=40, pattern=r"^t_[A-Za-z0-9_-]+$")


@router.post("/tickets", status_code=201, response_model=TicketAnswer)
async def take_ticket(body: TicketBody, request: Request, lang: Lang = Query("zh-Hans"),
                      caller: Caller = Depends(KIOSK_OR_STAFF)) -> Response:
    """A walk-in ticket for a service (409 queue_closed outside sessions or after the walk-in stop)."""
    hall = hall_of(request)
    create = tickets.walk_in_ticket(hall, caller, site=body.site, service=body.service,
                                    priority=body.priority, lang=lang, base_url=str(request.base_url))
    # A walk-in ticket is one statement (``store.tickets.issue_into_line``).
    again = tickets.answer_again(hall, lang, str(request.base_url))
    reply = await create_in_writer(hall, request, caller, body, lambda: answered_as(TicketAnswer, create),
                                   one_statement=again)
    return reply


@router.get("/tickets/{ticket_id}", response_model=PublicTicketAnswer)
async def get_ticket(request: Request, ticket_id: str = TICKET_ID,
                     lang: Lang = Query("zh-Hans")) -> dict[str, Any]:
    """A ticket by its unguessable id (public: the tracking page and the citizen's phone use it)."""
    hall = hall_of(request)
    base_url = str(request.base_url)
    return await hall.in_reader(lambda: tickets.ticket_answer(hall, ticket_id, hall.now(), lang, base_url))
