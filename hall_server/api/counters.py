"""Counter actions of staff (call next, recall, no-show, start, complete, transfer) and the queue listing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from hall_server.api import ticketing
from hall_server.api.auth import COUNTER, Caller, hall_of
from hall_server.api.errors import ApiError
from hall_server.api.hall_state import HallState
from hall_server.api.languages import Lang
from hall_server.api.site_rules import site_or_404
from hall_server.domain.booking import check_in_window
from hall_server.domain.queue import WaitingTicket, order_waiting
from hall_server.store import bookings, tickets

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


def site_queues(site: str) -> set[str]:
    return {q for rule in site_or_404(site).sessions for q in rule.counters}


def _ordered(conn: Connection, site: str, day: Any, queues: set[str], now: datetime) -> list[WaitingTicket]:
    settings = site_or_404(site).settings
    items = []
    for row in tickets.waiting(conn, site, day):
        if row["queue"] not in queues:
            continue
        window = check_in_window(row["slot_start"], settings) if row["slot_start"] else None
        items.append(WaitingTicket(row["id"], row["seq"], row["issued_at"], row["priority"], window))
    return order_waiting(items, now, timedelta(minutes=settings.queue_wait_cap_minutes))


CounterAction = Callable[[Connection, HallState, dict[str, Any], datetime], dict[str, Any]]


@dataclass(frozen=True)
class CounterAt:
    """A counter action's request: which counter of which site, and the answer's language."""

    request: Request
    counter: str
    site: str
    lang: str

    def act(self, action: CounterAction) -> dict[str, Any]:
        """Apply ``action`` to the ticket called at this counter; answers the ticket as it is then."""
        hall = hall_of(self.request)
        site_or_404(self.site)
        now = hall.now()
        with hall.db.write() as conn:
            current = tickets.current_at_counter(conn, self.site, self.counter)
            if current is None:
                raise ApiError(404, "no_current_ticket", "this counter has no called ticket")
            row = action(conn, hall, current, now)
            return ticketing.describe(conn, hall, row, now, self.lang, str(self.request.base_url))


async def counter_at(
    request: Request, counter: str = COUNTER_NAME, site: str = SITE_QUERY, lang: Lang = Query("zh-Hans")
) -> CounterAt:
    return CounterAt(request, counter, site, lang)


@router.post("/counters/{counter}/call-next")
def call_next(
    body: CallNextBody | None = None,
    caller: Caller = Depends(COUNTER),
    at: CounterAt = Depends(counter_at),
) -> dict[str, Any]:
    """Call the next ticket for this counter (bookings in their window, then priority, then the rest)."""
    hall = hall_of(at.request)
    known = site_queues(at.site)
    wanted = set(body.queues) if body and body.queues else known
    if not wanted <= known:
        raise ApiError(422, "unknown_queue", f"queues of {at.site}: {', '.join(sorted(known))}")
    now = hall.now()
    day = hall.calendars.site(at.site).local(now).date()
    with hall.db.write() as conn:
        if tickets.current_at_counter(conn, at.site, at.counter) is not None:
            raise ApiError(
                409, "counter_busy", "finish the current ticket first (complete, no-show or transfer)"
            )
        for candidate in _ordered(conn, at.site, day, wanted, now):
            if tickets.claim(conn, candidate.id, at.counter, now):
                row = tickets.get(conn, candidate.id)
                assert row is not None
                return ticketing.describe(conn, hall, row, now, at.lang, str(at.request.base_url))
    raise ApiError(404, "queue_empty", "nobody is waiting")


def _transition(
    conn: Connection, row: dict[str, Any], expected: tuple[str, ...], **values: Any
) -> dict[str, Any]:
    if row["status"] not in expected:
        raise ApiError(409, "wrong_ticket_state", f"the ticket is {row['status']}")
    if not tickets.set_status(conn, row["id"], expected, **values):
        raise ApiError(409, "wrong_ticket_state", "the ticket changed meanwhile")
    return {**row, **values}


@router.post("/counters/{counter}/recall")
def recall(caller: Caller = Depends(COUNTER), at: CounterAt = Depends(counter_at)) -> dict[str, Any]:
    """Call the current ticket again."""
    return at.act(lambda conn, _h, row, now: _transition(conn, row, ("called",), called_at=now))


@router.post("/counters/{counter}/no-show")
def no_show(caller: Caller = Depends(COUNTER), at: CounterAt = Depends(counter_at)) -> dict[str, Any]:
    """The called citizen did not come; a booking's no-show counts towards suspension."""

    def action(conn: Connection, _hall: HallState, row: dict[str, Any], now: datetime) -> dict[str, Any]:
        done = _transition(conn, row, ("called",), status="no_show", finished_at=now)
        if row["booking_id"]:
            bookings.set_status(conn, row["booking_id"], ("checked_in",), status="no_show")
        return done

    return at.act(action)


@router.post("/counters/{counter}/start")
def start(caller: Caller = Depends(COUNTER), at: CounterAt = Depends(counter_at)) -> dict[str, Any]:
    """The citizen arrived at the counter: service starts."""
    return at.act(
        lambda conn, _h, row, now: _transition(conn, row, ("called",), status="serving", started_at=now)
    )


@router.post("/counters/{counter}/complete")
def complete(caller: Caller = Depends(COUNTER), at: CounterAt = Depends(counter_at)) -> dict[str, Any]:
    """Service finished; its duration feeds the queue's estimated wait."""

    def action(conn: Connection, _hall: HallState, row: dict[str, Any], now: datetime) -> dict[str, Any]:
        started = row["started_at"] or row["called_at"] or now
        return _transition(
            conn, row, ("called", "serving"), status="done", started_at=started, finished_at=now
        )

    return at.act(action)


@router.post("/counters/{counter}/transfer")
def transfer(
    body: TransferBody, caller: Caller = Depends(COUNTER), at: CounterAt = Depends(counter_at)
) -> dict[str, Any]:
    """Send the current citizen to another queue: a new number there that keeps the original issue time."""
    if body.queue not in site_queues(at.site):
        raise ApiError(422, "unknown_queue", f"no queue {body.queue!r} at {at.site}")

    def action(conn: Connection, hall: HallState, row: dict[str, Any], now: datetime) -> dict[str, Any]:
        if body.queue == row["queue"]:
            raise ApiError(422, "same_queue", "the ticket is in that queue already")
        entry = ticketing.require_service(row["service"])
        new = ticketing.issue(
            conn,
            hall,
            site=at.site,
            entry=entry,
            now=now,
            priority=row["priority"],
            booking_id=row["booking_id"],
            slot_start=row["slot_start"],
            queue=body.queue,
        )
        # The citizen keeps their place in line: ordering goes by issue time.
        tickets.set_status(conn, new["id"], ("waiting",), issued_at=row["issued_at"])
        _transition(
            conn, row, ("called", "serving"), status="transferred", finished_at=now, transferred_to=new["id"]
        )
        return {**new, "issued_at": row["issued_at"]}

    return at.act(action)


@router.get("/queues")
def queues(request: Request, site: str = SITE_QUERY, caller: Caller = Depends(COUNTER)) -> dict[str, Any]:
    """Each queue of the site today: waiting tickets in call order, and who is at which counter."""
    hall = hall_of(request)
    profile = site_or_404(site)
    now = hall.now()
    day = hall.calendars.site(site).local(now).date()
    result = []
    with hall.db.read() as conn:
        rows = {r["id"]: r for r in tickets.waiting(conn, site, day)}
        summary = tickets.day_summary(conn, site, day)
        for queue in sorted(site_queues(site)):
            order = _ordered(conn, site, day, {queue}, now)
            result.append(
                {
                    "queue": queue,
                    "waiting": len(order),
                    "issued_today": sum(summary.get(queue, {}).values()),
                    "counters_open": ticketing.counters_open(hall, site, queue, now),
                    "tickets": [
                        {
                            "id": t.id,
                            "number": rows[t.id]["number"],
                            "service": rows[t.id]["service"],
                            "priority": t.priority,
                            "booking_id": rows[t.id]["booking_id"],
                            "issued_at": t.issued_at.astimezone(profile.tz).isoformat(),
                        }
                        for t in order
                    ],
                }
            )
    return {"site": site, "date": day.isoformat(), "queues": result}
