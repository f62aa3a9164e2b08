"""Counter routes of staff (call next, recall, no-show, start, complete, transfer) and the queue listing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from hall_server.api.auth import COUNTER, Caller, hall_of
from hall_server.api.languages import Lang
from hall_server.usecases.counters import Counter, queues_answer

router = APIRouter(tags=["counters"])
COUNTER_NAME = Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")
SITE_QUERY = Query(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
QUEUE = Field(min_length=1, max_length=8, pattern=r"^[A-Z][A-Z0-9]{0,7}$")


class CallNextBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queues: list[str] | None = Field(default=None, max_length=26)


class TransferBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queue: str = QUEUE


async def counter_at(
    request: Request, counter: str = COUNTER_NAME, site: str = SITE_QUERY, lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(COUNTER),
) -> Counter:
    clerk = caller.staff.username if caller.staff is not None else None
    return Counter(hall_of(request), site, counter, lang, str(request.base_url), clerk)


@router.post("/counters/{counter}/call-next")
def call_next(
    body: CallNextBody | None = None,
    caller: Caller = Depends(COUNTER),
    at: Counter = Depends(counter_at),
) -> dict[str, Any]:
    """Call the next ticket for this counter (bookings in their window, then priority, then the rest)."""
    return at.call_next(body.queues if body else None)


@router.post("/counters/{counter}/recall")
def recall(caller: Caller = Depends(COUNTER), at: Counter = Depends(counter_at)) -> dict[str, Any]:
    """Call the current ticket again."""
    return at.recall()


@router.post("/counters/{counter}/no-show")
def no_show(caller: Caller = Depends(COUNTER), at: Counter = Depends(counter_at)) -> dict[str, Any]:
    """The called citizen did not come; a booking's no-show counts towards suspension."""
    return at.no_show()


@router.post("/counters/{counter}/start")
def start(caller: Caller = Depends(COUNTER), at: Counter = Depends(counter_at)) -> dict[str, Any]:
    """The citizen arrived at the counter: service starts."""
    return at.start()


@router.post("/counters/{counter}/complete")
def complete(caller: Caller = Depends(COUNTER), at: Counter = Depends(counter_at)) -> dict[str, Any]:
    """Service finished; its duration feeds the queue's estimated wait."""
    return at.complete()


@router.post("/counters/{counter}/transfer")
def transfer(
    body: TransferBody, caller: Caller = Depends(COUNTER), at: Counter = Depends(counter_at)
) -> dict[str, Any]:
    """Send the current citizen to another queue: a new number there that keeps the original issue time."""
    return at.transfer(body.queue)


@router.get("/queues")
def queues(request: Request, site: str = SITE_QUERY, caller: Caller = Depends(COUNTER)) -> dict[str, Any]:
    """Each queue of the site today: waiting tickets in call order, and who is at which counter."""
    return queues_answer(hall_of(request), site)
