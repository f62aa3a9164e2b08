"""Walk-in tickets (``POST /tickets``) and a ticket's place in the line (``GET /tickets/{id}``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from hall_server.api import ticketing
from hall_server.api.auth import KIOSK_OR_STAFF, Caller, hall_of
from hall_server.api.errors import ApiError
from hall_server.api.fields import Text
from hall_server.api.idempotency import create_in_writer
from hall_server.api.languages import Lang
from hall_server.domain.queue import Priority
from hall_server.store import tickets

router = APIRouter(tags=["tickets"])
TICKET_ID = Path(min_length=3, max_length=40, pattern=r"^t_[A-Za-z0-9_-]+$")


class TicketBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service: Text = Field(min_length=1, max_length=32)
    priority: Priority | None = None
    site: Text | None = Field(default=None, min_length=1, max_length=32,
                             description="staff only: the site of the ticket (kiosks use their own)")


def caller_site(caller: Caller, requested: str | None) -> str:
    if caller.kiosk is not None:
        if requested is not None and requested != caller.kiosk.site:
            raise ApiError(403, "forbidden", "a kiosk issues tickets of its own site only")
        return caller.kiosk.site
    if requested is None:
        raise ApiError(422, "site_required", "staff name the site")
    return requested


@router.post("/tickets", status_code=201)
async def take_ticket(body: TicketBody, request: Request, lang: Lang = Query("zh-Hans"),
                      caller: Caller = Depends(KIOSK_OR_STAFF)) -> Response:
    """A walk-in ticket for a service (409 queue_closed outside sessions or after the walk-in stop)."""
    hall = hall_of(request)
    site = caller_site(caller, body.site)
    entry = ticketing.require_service(body.service)
    base_url = str(request.base_url)

    def create(conn: Connection) -> tuple[int, dict[str, Any]]:
        now = hall.now()
        open_now, next_open, session = hall.calendars.walk_in_at(site, now)
        if not open_now or session is None:
            raise ApiError(409, "queue_closed", "no walk-in tickets now",
                           extra={"next_open": next_open.isoformat() if next_open else None})
        rule = session.rule
        if not rule.offers(entry.code, entry.department) or rule.counters_for(entry.queue) == 0:
            raise ApiError(409, "service_not_offered", "the service is not handled in the current session",
                           extra={"next_open": next_open.isoformat() if next_open else None})
        row = ticketing.issue(conn, hall, site=site, entry=entry, now=now, priority=body.priority)
        return 201, ticketing.describe(conn, hall, row, now, lang, base_url)

    return await create_in_writer(request, caller, body, lambda: create)


@router.get("/tickets/{ticket_id}")
def get_ticket(request: Request, ticket_id: str = TICKET_ID, lang: Lang = Query("zh-Hans")) -> dict[str, Any]:
    """A ticket by its unguessable id (public: the tracking page and the citizen's phone use it)."""
    hall = hall_of(request)
    now = hall.now()
    with hall.db.read() as conn:
        row = tickets.get(conn, ticket_id)
        if row is None:
            raise ApiError(404, "ticket_not_found", "no such ticket")
        return ticketing.describe(conn, hall, row, now, lang, str(request.base_url))
