"""Calling-screen routes (DESIGN §4.6): ``GET /sites/{site}/calls`` and the Server-Sent Events stream.

Both are public, as the screens in the waiting area that read them hold no token: they carry ticket
numbers, windows and counts, never who holds a ticket.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse

from hall_contract.calls import CallList
from hall_server.api.fields import SITE_PATTERN
from hall_server.usecases.calls import CallBoard

router = APIRouter(tags=["calls"])
# No proxy may buffer the stream or cache it; each event must reach the screen as it is sent.
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def board_of(request: Request) -> CallBoard:
    board = request.app.state.calls
    assert isinstance(board, CallBoard)
    return board


@router.get("/sites/{site}/calls", response_model=CallList)
def recent_calls(request: Request, site: str = Path(pattern=SITE_PATTERN),
                 limit: int = Query(10, ge=1, le=50)) -> dict[str, Any]:
    """Today's latest calls, newest first: number, window, area, time and the sentence said."""
    return board_of(request).recent(site, limit)


@router.get("/sites/{site}/calls/stream", response_class=StreamingResponse)
def calls_stream(request: Request, site: str = Path(pattern=SITE_PATTERN)) -> StreamingResponse:
    """``text/event-stream``: the floor's state first, then each call, waiting count and window change."""
    board = board_of(request)
    board.check(site)
    return StreamingResponse(board.stream(site), media_type="text/event-stream", headers=STREAM_HEADERS)
