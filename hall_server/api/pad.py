"""A window's rating pad (device token): its live stream of reviews to ask, and the citizen's answer."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from hall_server.api.auth import PAD, Caller, hall_of
from hall_server.api.event_stream import event_stream
from hall_server.api.fields import SITE_PATTERN, Text
from hall_server.middleware.idempotency import run_creating
from hall_server.usecases import pad

router = APIRouter(tags=["floor"])
WINDOW = Path(min_length=1, max_length=4, pattern=r"^[1-9][0-9]{0,3}$")
SITE = Query(pattern=SITE_PATTERN)


class PadReviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ticket_id: str = Field(min_length=3, max_length=40, pattern=r"^t_[A-Za-z0-9_-]+$")
    level: int
    reasons: list[Text] = Field(default_factory=list, max_length=20)
    comment: Text | None = Field(default=None, max_length=2000)


@router.get("/windows/{window}/pad/stream", response_class=StreamingResponse)
async def pad_stream(request: Request, window: str = WINDOW, site: str = SITE,
                     caller: Caller = Depends(PAD)) -> Response:
    """Server-Sent Events for the pad: ``state`` (levels in the three languages, a pending review), then
    ``review`` each time the window completes a ticket; ``closed`` when the device's token is revoked."""
    at = pad.pad_at(hall_of(request), caller, site, window)
    return event_stream(pad.pad_events(at))


@router.post("/windows/{window}/pad/review", status_code=201)
async def pad_review(body: PadReviewBody, request: Request, window: str = WINDOW, site: str = SITE,
                     caller: Caller = Depends(PAD)) -> Response:
    """The citizen's review of the ticket just completed at this window (409 already_reviewed)."""
    hall = hall_of(request)
    at = pad.pad_at(hall, caller, site, window)
    create = pad.answer_review(at, ticket_id=body.ticket_id, level=body.level, reasons=list(body.reasons),
                               comment=body.comment)
    return await hall.in_writer(lambda: run_creating(hall, request, caller, body, create))


