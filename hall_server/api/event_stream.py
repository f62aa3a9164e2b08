"""Server-Sent Events: a use case's (event name, JSON data) pairs as a ``text/event-stream`` answer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi.responses import StreamingResponse

# How long a browser waits before reconnecting a dropped stream.
RETRY_MS = 3000
HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def frame(event: str, data: dict[str, Any]) -> str:
    """One event; a ``ping`` is a comment line, which readers skip."""
    if event == "ping":
        return ": ping\n\n"
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event}\ndata: {text}\n\n"


async def _frames(events: AsyncIterator[tuple[str, dict[str, Any]]]) -> AsyncIterator[str]:
    yield f"retry: {RETRY_MS}\n\n"
    async for event, data in events:
        yield frame(event, data)


def event_stream(events: AsyncIterator[tuple[str, dict[str, Any]]]) -> StreamingResponse:
    return StreamingResponse(_frames(events), media_type="text/event-stream", headers=HEADERS)
