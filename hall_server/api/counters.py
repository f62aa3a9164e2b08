"""Counter routes of staff at a window (call next, recall, start, complete, no-show, call a chosen number,
park and unpark, transfer) and the queue listing; ``{counter}`` is the window number the clerk signed in
at (api/windows.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from hall_server.api.auth import COUNTER, Caller, hall_of
from hall_server.api.fields import Text
from hall_server.api.languages import Lang
from hall_server.usecases.counters import Counter, queues_answer

router = APIRouter(tags=["counters"])
COUNTER_NAME = Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")
SITE_QUERY = Query(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
NUMBER = Field(min_length=2, max_length=16, pattern=r"^[A-Z][A-Z0-9]{0,7}[0-9]{3,}$")


class CallNextBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queues: list[str] | None = Field(default=None, max_length=26)


class TransferBody(BaseModel):
    """Exactly one of ``queue`` (a new number there) and ``window`` (first in that window's line)."""

    model_config = ConfigDict(extra="forbid")
    queue: str | None = Field(default=None, min_length=1, max_length=8, pattern=r"^[A-Z][A-Z0-9]{0,7}$")
    window: str | None = Field(default=None, min_length=1, max_length=4, pattern=r"^[1-9][0-9]{0,3}$")

    @model_validator(mode="after")
    def one_target(self) -> TransferBody:
        if (self.queue is None) == (self.window is None):
            raise ValueError("give either queue or window")
        return self


class CallNumberBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str = NUMBER
    reason: Text = Field(min_length=2, max_length=200)


class UnparkBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str = NUMBER


async def counter_at(
    request: Request, counter: str = COUNTER_NAME, site: str = SITE_QUERY, lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(COUNTER),
) -> Counter:
    clerk = caller.staff.username if caller.staff else ""
    return Counter(hall_of(request), site, counter, clerk, lang, str(request.base_url))


@router.post("/counters/{counter}/call-next")
def call_next(
    body: CallNextBody | None = None,
    caller: Caller = Depends(COUNTER),
    at: Counter = Depends(counter_at),
) -> dict[str, Any]:
    """Call the next ticket for this window: those transferred to it, then its queues in order."""
    return at.call_next(body.queues if body else None)


@router.post("/counters/{counter}/call-number")
def call_number(
    body: CallNumberBody, caller: Caller = Depends(COUNTER), at: Counter = Depends(counter_at)
) -> dict[str, Any]:
    """Call a chosen waiting number out of turn; the reason is kept in the counter audit."""
    return at.call_number(body.number, body.reason)


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
    """The citizen arrived at the window: service starts."""
    return at.start()


@router.post("/counters/{counter}/complete")
def complete(caller: Caller = Depends(COUNTER), at: Counter = Depends(counter_at)) -> dict[str, Any]:
    """Service finished; its duration feeds the queue's estimated wait."""
    return at.complete()


@router.post("/counters/{counter}/park")
def park(caller: Caller = Depends(COUNTER), at: Counter = Depends(counter_at)) -> dict[str, Any]:
    """Put the current ticket on hold (挂起) at this window: out of the line until unparked."""
    return at.park()


@router.post("/counters/{counter}/unpark")
def unpark(
    body: UnparkBody, caller: Caller = Depends(COUNTER), at: Counter = Depends(counter_at)
) -> dict[str, Any]:
    """Call a ticket parked at this window again."""
    return at.unpark(body.number)


@router.post("/counters/{counter}/transfer")
def transfer(
    body: TransferBody, caller: Caller = Depends(COUNTER), at: Counter = Depends(counter_at)
) -> dict[str, Any]:
    """Send the current citizen to another queue (a new number that keeps the original issue time) or to
    another window (the same ticket, first in that window's line)."""
    return at.transfer(body.queue, body.window)


@router.get("/queues")
def queues(request: Request, site: str = SITE_QUERY, caller: Caller = Depends(COUNTER)) -> dict[str, Any]:
    """Each queue of the site today: waiting tickets in call order, and how many windows serve it."""
    return queues_answer(hall_of(request), site)
