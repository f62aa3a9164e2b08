"""``GET /tickets/{id}/stream``: one ticket's public state as Server-Sent Events, for the citizen's phone."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response, StreamingResponse

from hall_server.api.auth import hall_of
from hall_server.api.event_stream import event_stream
from hall_server.usecases import ticket_watch

router = APIRouter(tags=["tickets"])
TICKET_ID = Path(min_length=3, max_length=40, pattern=r"^t_[A-Za-z0-9_-]+$")


@router.get("/tickets/{ticket_id}/stream", response_class=StreamingResponse)
async def ticket_stream(request: Request, ticket_id: str = TICKET_ID) -> Response:
    """Public like ``GET /tickets/{id}`` (the id is the secret the ticket's QR carries): ``ticket`` events
    with the number, state, people ahead, estimated wait, window and area; no personal data."""
    ticket = await anyio.to_thread.run_sync(ticket_watch.watched, hall_of(request), ticket_id)
    return event_stream(ticket_watch.ticket_events(ticket))
