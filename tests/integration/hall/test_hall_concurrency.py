"""Capacity, ticket numbers and window calls under concurrent clients hitting a real server (SQLite or
PostgreSQL; on SQLite writes are serialised in the process, so only the PostgreSQL run proves the SQL)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from citizen_id.id_number import make_id_number
from hall_server.demo import DEMO_PASSWORD
from hall_server.store import identities
from hall_server.store import models as m

from .conftest import Hall

pytestmark = [pytest.mark.db, pytest.mark.slow]


def together(
    count: int, hall: Hall, call: Callable[[httpx.Client, int], httpx.Response], token: str | None = None
) -> list[httpx.Response]:
    """Run ``call`` from ``count`` threads released at once, each with its own connection (as the kiosk
    unless ``token`` names another caller)."""
    barrier = threading.Barrier(count)

    def run(i: int) -> httpx.Response:
        with httpx.Client(
            base_url=hall.url + "/api/v1", timeout=60,
            headers={"Authorization": f"Bearer {token or hall.kiosk_token}"},
        ) as client:
            barrier.wait(timeout=30)
            return call(client, i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_fifty_concurrent_bookings_for_five_places(hall: Hall) -> None:
    slot = "HQ:SB-001:2026-11-26T15:00"
    assert hall.staff("counter1").put(f"/slots/{slot}/capacity", json={"capacity": 5}).status_code == 200

    def book(client: httpx.Client, i: int) -> httpx.Response:
        citizen = {"id_number": make_id_number(sequence=200 + i), "name": "李四"}
        return client.post("/bookings", json={"service": "SB-001", "slot_id": slot, "citizen": citizen})

    # Fifty people are more than a kiosk's identity budget for an hour: the desk books them.
    replies = together(50, hall, book, hall.staff_token("counter1"))
    outcomes = Counter((r.status_code, r.json().get("error", {}).get("code")) for r in replies)
    assert outcomes == {(201, None): 5, (409, "slot_full"): 45}
    with hall.db.read() as conn:
        stored = conn.execute(
            select(func.count()).select_from(m.bookings).where(m.bookings.c.slot_id == slot)
        )
        assert stored.scalar_one() == 5
        booked = conn.execute(select(m.slot_counters.c.booked).where(m.slot_counters.c.slot_id == slot))
        assert booked.scalar_one() == 5


def as_a_kiosk_retries(client: httpx.Client, path: str, body: dict[str, Any], key: str) -> httpx.Response:
    """POST as the kiosk does: one Idempotency-Key, again after Retry-After while the hall answers 503
    ``database_busy`` (a request that waited out the whole connection pool, on a crowded machine)."""
    for _ in range(5):
        reply = client.post(path, json=body, headers={"Idempotency-Key": key})
        if reply.status_code != 503:
            break
        assert reply.json()["error"]["code"] == "database_busy"
        time.sleep(float(reply.headers.get("Retry-After", "1")))
    return reply


def test_two_hundred_concurrent_walk_in_tickets_are_numbered_without_gaps(hall: Hall) -> None:
    def take_four(client: httpx.Client, i: int) -> list[httpx.Response]:
        return [as_a_kiosk_retries(client, "/tickets", {"service": "SB-001"}, f"walk-in-{i}-{k}")
                for k in range(4)]

    batches: list[Any] = together(50, hall, take_four)  # type: ignore[arg-type]
    replies = [r for batch in batches for r in batch]
    assert all(r.status_code == 201 for r in replies)
    numbers = sorted(r.json()["number"] for r in replies)
    assert numbers == [f"B{n:03d}" for n in range(1, 201)]
    assert len({r.json()["id"] for r in replies}) == 200


def test_concurrent_retries_with_one_idempotency_key_make_one_ticket(hall: Hall) -> None:
    def retry(client: httpx.Client, _i: int) -> httpx.Response:
        return client.post("/tickets", json={"service": "SB-001"}, headers={"Idempotency-Key": "same-key"})

    replies = together(20, hall, retry)
    assert {r.status_code for r in replies} == {201}
    assert len({r.json()["id"] for r in replies}) == 1
    with hall.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(m.tickets)).scalar_one() == 1


def test_concurrent_duplicate_bookings_of_one_person_make_one(hall: Hall) -> None:
    citizen = {"id_number": make_id_number(sequence=777), "name": "赵六"}
    slots = [f"HQ:SB-001:2026-11-26T{h:02d}:{mm:02d}" for h in (9, 10, 11) for mm in (0, 30)]

    def book(client: httpx.Client, i: int) -> httpx.Response:
        return client.post(
            "/bookings", json={"service": "SB-001", "slot_id": slots[i % len(slots)], "citizen": citizen}
        )

    replies = together(12, hall, book)
    outcomes = Counter((r.status_code, r.json().get("error", {}).get("code")) for r in replies)
    assert outcomes == {(201, None): 1, (409, "duplicate_booking"): 11}


def clerks_at_windows(hall: Hall, numbers: list[str]) -> list[str]:
    """A counter clerk signed in at each window; their tokens, in the same order."""
    now = hall.clock.now()
    tokens = []
    for number in numbers:
        username = f"clerk{number}"
        with hall.db.write() as conn:
            identities.add_staff(conn, username, "counter", DEMO_PASSWORD, now)
        token = hall.staff_token(username)
        reply = hall.client(token).post(f"/windows/{number}/sign-in", params={"site": "HQ"})
        assert reply.status_code == 200, reply.text
        tokens.append(token)
    return tokens


def called_at(hall: Hall, window: str) -> list[str]:
    t = m.tickets
    with hall.db.read() as conn:
        rows = conn.execute(select(t.c.number).where(t.c.counter == window, t.c.status == "called"))
        return sorted(r[0] for r in rows)


def test_eight_simultaneous_call_nexts_of_one_window_call_one_ticket(hall: Hall) -> None:
    for _ in range(8):
        assert hall.kiosk().post("/tickets", json={"service": "SB-001"}).status_code == 201
    [token] = clerks_at_windows(hall, ["15"])

    def call(client: httpx.Client, _i: int) -> httpx.Response:
        return client.post("/counters/15/call-next", params={"site": "HQ"})

    replies = together(8, hall, call, token)
    outcomes = Counter((r.status_code, r.json().get("error", {}).get("code")) for r in replies)
    assert outcomes == {(200, None): 1, (409, "counter_busy"): 7}
    assert called_at(hall, "15") == ["B001"]


def test_eight_windows_calling_at_once_each_call_a_different_ticket(hall: Hall) -> None:
    for _ in range(8):
        assert hall.kiosk().post("/tickets", json={"service": "SB-001"}).status_code == 201
    windows = [str(n) for n in range(15, 23)]
    tokens = clerks_at_windows(hall, windows)
    barrier = threading.Barrier(8)

    def call(i: int) -> httpx.Response:
        with httpx.Client(base_url=hall.url + "/api/v1", timeout=60,
                          headers={"Authorization": f"Bearer {tokens[i]}"}) as client:
            barrier.wait(timeout=30)
            return client.post(f"/counters/{windows[i]}/call-next", params={"site": "HQ"})

    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(call, range(8)))
    assert {r.status_code for r in replies} == {200}
    assert sorted(r.json()["number"] for r in replies) == [f"B{n:03d}" for n in range(1, 9)]
    assert [called_at(hall, w) for w in windows] == [[r.json()["number"]] for r in replies]


def test_eight_clerks_signing_in_at_one_window_leave_one_there(hall: Hall) -> None:
    now = hall.clock.now()
    tokens = []
    for i in range(8):
        with hall.db.write() as conn:
            identities.add_staff(conn, f"rival{i}", "counter", DEMO_PASSWORD, now)
        tokens.append(hall.staff_token(f"rival{i}"))
    barrier = threading.Barrier(8)

    def sign_in(i: int) -> httpx.Response:
        with httpx.Client(base_url=hall.url + "/api/v1", timeout=60,
                          headers={"Authorization": f"Bearer {tokens[i]}"}) as client:
            barrier.wait(timeout=30)
            return client.post("/windows/15/sign-in", params={"site": "HQ"})

    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(sign_in, range(8)))
    outcomes = Counter((r.status_code, r.json().get("error", {}).get("code")) for r in replies)
    assert outcomes == {(200, None): 1, (409, "window_taken"): 7}
    with hall.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(m.window_states)
                            .where(m.window_states.c.clerk.is_not(None))).scalar_one() == 1
