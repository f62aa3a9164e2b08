"""Ticket issue hammered from many clients at once (meant for PostgreSQL, where the writes really overlap):
numbers unique and dense per queue, each place counted as the line stood when the ticket was numbered,
one event and one floor announcement per ticket, and scarce slots booked to their capacity exactly."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter, defaultdict
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from citizen_id.id_number import make_id_number
from hall_server.state.floor_bus import FloorEvent
from hall_server.state.hall_state import HallState
from hall_server.store import models as m

from .conftest import Hall
from .test_hall_concurrency import together

pytestmark = [pytest.mark.db, pytest.mark.slow]

SERVICES = ("MA-001", "SB-001", "CR-001")  # queues A, B, C
CLIENTS = 40
PER_CLIENT = 6
SLOT = "HQ:SB-001:2026-11-26T16:00"
PLACES = 3


class FloorListener:
    """The hall's floor events of a site, read on a loop of their own as a calling screen reads them."""

    def __init__(self, hall: HallState, site: str, expected: int) -> None:
        self.events: list[FloorEvent] = []
        self._hall, self._site, self._expected = hall, site, expected
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._listen()), daemon=True)

    async def _listen(self) -> None:
        async with self._hall.floor.subscribe(self._site) as feed:
            self._ready.set()
            while len(self.events) < self._expected:
                try:
                    self.events.append(await asyncio.wait_for(feed.get(), timeout=60))
                except TimeoutError:
                    return

    def __enter__(self) -> FloorListener:
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._thread.join(timeout=90)


def test_many_clients_issuing_at_once_get_dense_numbers_exact_places_and_exact_capacity(hall: Hall) -> None:
    assert hall.staff("counter1").put(f"/slots/{SLOT}/capacity", json={"capacity": PLACES}).status_code == 200
    desk_token = hall.staff_token("counter1")

    def barrage(client: httpx.Client, i: int) -> list[httpx.Response]:
        replies = []
        for j in range(PER_CLIENT):
            # Every fifth ticket a 绿色通道 one: it goes before the others, so places are not just seq - 1.
            body: dict[str, Any] = {"service": SERVICES[(i + j) % len(SERVICES)]}
            if (i + j) % 5 == 0:
                body["priority"] = "elderly"
            replies.append(client.post("/tickets", json=body))
        if i % 4 == 0:  # a quarter of the clients also book the one scarce slot at the desk, meanwhile
            citizen = {"id_number": make_id_number(sequence=300 + i), "name": "王五"}
            booking = {"service": "SB-001", "slot_id": SLOT, "citizen": citizen}
            replies.append(client.post("/bookings", json=booking,
                                       headers={"Authorization": f"Bearer {desk_token}"}))
        return replies

    state = hall.app.state.hall
    with FloorListener(state, "HQ", CLIENTS * PER_CLIENT) as floor:
        batches: list[Any] = together(CLIENTS, hall, barrage)  # type: ignore[arg-type]
    replies = [r for batch in batches for r in batch]
    tickets = [r.json() for r in replies if r.request.url.path.endswith("/tickets")]
    bookings = Counter((r.status_code, r.json().get("error", {}).get("code"))
                       for r in replies if r.request.url.path.endswith("/bookings"))
    assert {r.status_code for r in replies if r.request.url.path.endswith("/tickets")} == {201}

    by_queue: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ticket in tickets:
        by_queue[ticket["queue"]].append(ticket)
    for queue, issued in by_queue.items():
        seqs = sorted(int(t["number"][1:]) for t in issued)
        assert seqs == list(range(1, len(issued) + 1)), f"queue {queue}: numbers not unique and dense"
        # Nobody is called meanwhile and the clock stands still, so the line a ticket joined is exactly
        # the tickets numbered before it: a priority ticket goes after the earlier priority ones only.
        for t in issued:
            seq = int(t["number"][1:])
            earlier = [u for u in issued if int(u["number"][1:]) < seq]
            expected = sum(1 for u in earlier if u["priority"]) if t["priority"] else len(earlier)
            assert t["people_ahead"] == expected, (t["number"], t["priority"])

    with hall.db.read() as conn:
        stored = conn.execute(select(m.tickets.c.queue, func.count(), func.max(m.tickets.c.seq))
                              .group_by(m.tickets.c.queue)).all()
        assert {q: (n, top) for q, n, top in stored} == {q: (len(v), len(v)) for q, v in by_queue.items()}
        issued_events = conn.execute(select(func.count()).select_from(m.events)
                                     .where(m.events.c.kind == "ticket_issued")).scalar_one()
        assert issued_events == len(tickets)
        booked = conn.execute(select(m.slot_counters.c.booked).where(m.slot_counters.c.slot_id == SLOT))
        assert booked.scalar_one() == PLACES
    assert bookings == {(201, None): PLACES, (409, "slot_full"): CLIENTS // 4 - PLACES}
    announced = Counter(e.ticket for e in floor.events if e.kind == "waiting_changed")
    assert announced == Counter(t["number"] for t in tickets)
