"""A clerk at a window through the HTTP API: sign-in rules, pause, the window's own queues, a number called
out of turn, park and unpark, transfer to a window, the live state, and the floor events each one tells."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from hall_server.state.floor_bus import FloorEvent
from hall_server.store import audit

from .conftest import Hall

pytestmark = pytest.mark.db
HQ = {"site": "HQ"}


def take(hall: Hall, service: str = "SB-001", **extra: object) -> dict[str, Any]:
    reply = hall.kiosk().post("/tickets", json={"service": service, **extra})
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def code(reply: httpx.Response) -> tuple[int, str | None]:
    return reply.status_code, reply.json().get("error", {}).get("code")


def service_of_queue(hall: Hall, queue: str) -> str:
    services = hall.kiosk().get("/services").json()["services"]
    return str(next(s["code"] for s in services if s["queue"] == queue))


class Events:
    """Every floor event of HQ, as a live stream would receive them (its own loop in a thread)."""

    def __init__(self, hall: Hall) -> None:
        self.bus = hall.app.state.hall.floor
        self.got: list[FloorEvent] = []
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._run(),), daemon=True)
        self.stop: asyncio.Event | None = None

    async def _run(self) -> None:
        self.stop = asyncio.Event()
        async with self.bus.subscribe("HQ") as feed:
            self.ready.set()
            while not self.stop.is_set():
                getter = asyncio.ensure_future(feed.get())
                stopper = asyncio.ensure_future(self.stop.wait())
                done, _ = await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
                if getter in done:
                    self.got.append(getter.result())
                else:
                    getter.cancel()

    def kinds(self) -> list[tuple[str, str | None, str | None]]:
        self._drain()
        return [(e.kind, e.window, e.ticket) for e in self.got]

    def _drain(self) -> None:
        # Events reach the feed through its loop: a round trip through that loop lets them arrive.
        for _ in range(3):
            asyncio.run_coroutine_threadsafe(asyncio.sleep(0.05), self.loop).result(5)

    def close(self) -> None:
        assert self.stop is not None
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(5)


@pytest.fixture
def events(hall: Hall) -> Iterator[Events]:
    found = Events(hall)
    found.thread.start()
    assert found.ready.wait(5)
    yield found
    found.close()


def test_sign_in_rules_one_clerk_per_window_and_one_window_per_clerk(hall: Hall) -> None:
    clerk, admin = hall.staff("counter1"), hall.staff("admin")
    assert code(clerk.post("/windows/99/sign-in", params=HQ)) == (404, "unknown_window")
    assert code(clerk.post("/windows/48/sign-in", params=HQ)) == (409, "window_closed")
    signed = clerk.post("/windows/15/sign-in", params=HQ)
    assert signed.status_code == 200
    assert signed.json()["window"] == "15" and signed.json()["state"] == "open"
    assert signed.json()["since"] == "2026-11-25T10:00:00+08:00"
    assert clerk.post("/windows/15/sign-in", params=HQ).status_code == 200  # again: no change
    assert code(admin.post("/windows/15/sign-in", params=HQ)) == (409, "window_taken")
    elsewhere = clerk.post("/windows/16/sign-in", params=HQ)
    assert code(elsewhere) == (409, "signed_in_elsewhere") and elsewhere.json()["window"] == "15"
    assert code(admin.post("/counters/15/call-next", params=HQ)) == (409, "not_signed_in")
    assert code(admin.post("/windows/15/pause", params=HQ)) == (409, "not_signed_in")
    assert clerk.post("/windows/15/sign-out", params=HQ).json()["window"] is None
    assert code(clerk.post("/counters/15/call-next", params=HQ)) == (409, "not_signed_in")
    assert admin.post("/windows/15/sign-in", params=HQ).status_code == 200
    assert clerk.get("/windows/mine").json() == {"site": None, "window": None,
                                                 "now": "2026-11-25T10:00:00+08:00"}


def test_call_next_takes_only_the_windows_queues_and_a_paused_window_gets_no_calls(hall: Hall) -> None:
    clerk = hall.staff("counter1")
    a_ticket = take(hall, service_of_queue(hall, "A"))
    b_ticket = take(hall)
    assert clerk.post("/windows/15/sign-in", params=HQ).status_code == 200  # zone B
    assert code(clerk.post("/counters/15/call-next", params=HQ, json={"queues": ["A"]})) == (
        422, "unknown_queue")
    pause = clerk.post("/windows/15/pause", params=HQ, json={"reason": "系统维护"})
    assert pause.json()["state"] == "paused" and pause.json()["pause_reason"] == "系统维护"
    assert code(clerk.post("/counters/15/call-next", params=HQ)) == (409, "window_paused")
    assert clerk.post("/windows/15/resume", params=HQ).json()["state"] == "open"
    assert clerk.post("/counters/15/call-next", params=HQ).json()["id"] == b_ticket["id"]
    assert clerk.post("/counters/15/complete", params=HQ).status_code == 200
    assert code(clerk.post("/counters/15/call-next", params=HQ)) == (404, "queue_empty")  # A001 is not B's
    assert clerk.post("/windows/15/sign-out", params=HQ).status_code == 200
    assert clerk.post("/windows/1/sign-in", params=HQ).status_code == 200  # zone A
    assert clerk.post("/counters/1/call-next", params=HQ).json()["id"] == a_ticket["id"]
    with hall.db.read() as conn:
        logged = audit.counter_recent(conn, "HQ", 5)
    assert [(e.action, e.clerk, e.window, e.reason) for e in logged] == [
        ("pause", "counter1", "15", "系统维护")]


def test_a_chosen_number_out_of_turn_is_audited(hall: Hall, events: Events) -> None:
    clerk = hall.staff("counter1")
    first, second, third = take(hall), take(hall), take(hall)
    assert clerk.post("/windows/15/sign-in", params=HQ).status_code == 200
    no_reason = clerk.post("/counters/15/call-number", params=HQ, json={"number": third["number"]})
    assert code(no_reason) == (422, "invalid_request")
    called = clerk.post("/counters/15/call-number", params=HQ,
                        json={"number": third["number"], "reason": "老人返回取号"})
    assert called.status_code == 200 and called.json()["id"] == third["id"]
    assert code(clerk.post("/counters/15/call-number", params=HQ,
                           json={"number": second["number"], "reason": "再叫"})) == (409, "counter_busy")
    clerk.post("/counters/15/complete", params=HQ)
    assert code(clerk.post("/counters/15/call-number", params=HQ,
                           json={"number": third["number"], "reason": "再叫"})) == (409, "wrong_ticket_state")
    assert code(clerk.post("/counters/15/call-number", params=HQ,
                           json={"number": "B099", "reason": "再叫"})) == (404, "ticket_not_found")
    assert clerk.post("/counters/15/call-next", params=HQ).json()["id"] == first["id"]
    with hall.db.read() as conn:
        logged = audit.counter_recent(conn, "HQ", 5)
    assert [(e.action, e.clerk, e.number, e.reason) for e in logged] == [
        ("call_number", "counter1", "B003", "老人返回取号")]
    assert logged[0].at == hall.clock.now()
    assert events.kinds() == [
        ("waiting_changed", None, "B001"), ("waiting_changed", None, "B002"),
        ("waiting_changed", None, "B003"),
        ("window_opened", "15", None), ("called", "15", "B003"), ("completed", "15", "B003"),
        ("called", "15", "B001"),
    ]
    completed = next(e for e in events.got if e.kind == "completed")
    assert completed.clerk == "counter1" and completed.queue == "B" and completed.ticket_id == third["id"]


def test_park_and_unpark_at_the_same_window(hall: Hall, events: Events) -> None:
    clerk = hall.staff("counter1")
    first, second = take(hall), take(hall)
    assert clerk.post("/windows/15/sign-in", params=HQ).status_code == 200
    clerk.post("/counters/15/call-next", params=HQ)
    clerk.post("/counters/15/start", params=HQ)
    parked = clerk.post("/counters/15/park", params=HQ).json()
    assert parked["status"] == "parked" and parked["id"] == first["id"]
    # A parked ticket is out of the line: the next call is the second citizen.
    assert clerk.post("/counters/15/call-next", params=HQ).json()["id"] == second["id"]
    mine = clerk.get("/windows/mine").json()
    assert mine["current"]["id"] == second["id"] and [t["id"] for t in mine["parked"]] == [first["id"]]
    body = {"number": first["number"]}
    assert code(clerk.post("/counters/15/unpark", params=HQ, json=body)) == (409, "counter_busy")
    clerk.post("/counters/15/complete", params=HQ)
    assert code(clerk.post("/counters/15/unpark", params=HQ, json={"number": "B002"})) == (
        404, "ticket_not_found")
    again = clerk.post("/counters/15/unpark", params=HQ, json=body).json()
    assert again["id"] == first["id"] and again["status"] == "called" and again["counter"] == "15"
    assert clerk.get("/windows/mine").json()["parked"] == []
    called_again = [e for e in events.got if e.kind == "called" and e.ticket == "B001"]
    assert [e.recall for e in called_again] == [False, True]
    assert ("parked", "15", "B001") in events.kinds()


def test_transfer_to_a_window_puts_the_ticket_first_in_that_windows_line(hall: Hall, events: Events) -> None:
    clerk, admin = hall.staff("counter1"), hall.staff("admin")
    moved = take(hall)
    hall.clock.advance(timedelta(minutes=1))
    take(hall, priority="elderly")  # waits in queue B
    assert clerk.post("/windows/15/sign-in", params=HQ).status_code == 200
    assert admin.post("/windows/16/sign-in", params=HQ).status_code == 200
    assert clerk.post("/counters/15/call-number", params=HQ,
                      json={"number": moved["number"], "reason": "先办"}).status_code == 200
    def transfer(**body: str) -> httpx.Response:
        return clerk.post("/counters/15/transfer", params=HQ, json=body)

    assert code(transfer(window="15")) == (422, "same_window")
    assert code(transfer(window="48")) == (409, "window_closed")
    assert code(transfer(window="99")) == (404, "unknown_window")
    assert code(transfer(window="16", queue="C")) == (422, "invalid_request")
    assert code(transfer()) == (422, "invalid_request")
    sent = transfer(window="16").json()
    assert sent["id"] == moved["id"] and sent["status"] == "waiting" and sent["people_ahead"] == 0
    assert sent["number"] == moved["number"]  # the citizen keeps the paper in hand
    # The staff's list of the lines shows it in window 16's line, not in its queue's.
    lines = clerk.get("/queues", params=HQ).json()
    queue_b = next(q for q in lines["queues"] if q["queue"] == moved["number"][0])
    assert moved["id"] not in [t["id"] for t in queue_b["tickets"]] and queue_b["waiting"] == 1
    assert [(w["window"], w["waiting"], [t["number"] for t in w["tickets"]]) for w in lines["windows"]] == [
        ("16", 1, [moved["number"]])]
    # Window 16 calls the transferred ticket before the elderly citizen of its queue.
    assert admin.post("/counters/16/call-next", params=HQ).json()["id"] == moved["id"]
    # It is no one else's: window 15 gets the elderly citizen, not the ticket sent to 16.
    assert clerk.post("/counters/15/call-next", params=HQ).json()["priority"] == "elderly"
    assert clerk.get("/queues", params=HQ).json()["windows"] == []
    transferred = next(e for e in events.got if e.kind == "transferred")
    assert (transferred.window, transferred.to_window, transferred.ticket) == ("15", "16", moved["number"])


def test_live_windows_for_staff(hall: Hall) -> None:
    clerk = hall.staff("counter1")
    take(hall)
    clerk.post("/windows/15/sign-in", params=HQ)
    clerk.post("/counters/15/call-next", params=HQ)
    hall.staff("admin").post("/windows/16/sign-in", params=HQ)
    hall.staff("admin").post("/windows/16/pause", params=HQ, json={"reason": "午休"})
    body = clerk.get("/windows", params=HQ).json()
    by_number = {w["number"]: w for w in body["windows"]}
    assert len(by_number) == 52
    assert by_number["15"]["state"] == "open" and by_number["15"]["clerk"] == "counter1"
    assert by_number["15"]["current"] == {"number": "B001", "status": "called"}
    assert by_number["16"]["state"] == "paused" and by_number["16"]["pause_reason"] == "午休"
    assert by_number["17"]["state"] == "signed_out" and by_number["17"]["clerk"] is None
    assert by_number["48"]["state"] == "closed"
    # A signed-out window cannot leave a called ticket behind.
    assert code(clerk.post("/windows/15/sign-out", params=HQ)) == (409, "counter_busy")


def test_estimated_wait_counts_the_windows_signed_in_and_not_paused(hall: Hall) -> None:
    clerk, admin = hall.staff("counter1"), hall.staff("admin")
    take(hall)
    # Nobody signed in: the session plans 4 counters for queue B this morning; 300 s default service.
    assert take(hall)["estimated_wait_s"] == 75
    clerk.post("/windows/15/sign-in", params=HQ)
    admin.post("/windows/16/sign-in", params=HQ)
    assert take(hall)["estimated_wait_s"] == 300  # 2 ahead ÷ 2 windows × 300 s
    admin.post("/windows/16/pause", params=HQ)
    assert take(hall)["estimated_wait_s"] == 900  # 3 ahead ÷ 1 window
    queues = clerk.get("/queues", params=HQ).json()["queues"]
    assert {q["queue"]: q["counters_open"] for q in queues}["B"] == 1
    assert {q["queue"]: q["counters_open"] for q in queues}["A"] == 0



def test_refused_actions_tell_the_floor_nothing(hall: Hall, events: Events) -> None:
    clerk = hall.staff("counter1")
    assert code(clerk.post("/counters/15/call-next", params=HQ)) == (409, "not_signed_in")
    clerk.post("/windows/15/sign-in", params=HQ)
    assert code(clerk.post("/counters/15/call-next", params=HQ)) == (404, "queue_empty")
    assert code(clerk.post("/counters/15/recall", params=HQ)) == (404, "no_current_ticket")
    clerk.post("/windows/15/pause", params=HQ)
    clerk.post("/windows/15/pause", params=HQ)  # paused already: no second event
    take(hall)
    assert code(clerk.post("/counters/15/call-next", params=HQ)) == (409, "window_paused")
    clerk.post("/windows/15/resume", params=HQ)
    assert events.kinds() == [
        ("window_opened", "15", None), ("window_paused", "15", None), ("waiting_changed", None, "B001"),
        ("window_opened", "15", None),
    ]
