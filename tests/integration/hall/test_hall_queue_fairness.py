"""The queue's fairness through the API, with exact orders: the wait cap (30 minutes at HQ) and its boundary
to the second, and a transferred citizen's place in the new queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hall_server.store import tickets as store_tickets

from .conftest import DEFAULT_NOW, Hall

pytestmark = pytest.mark.db
HQ = {"site": "HQ"}
CAP = timedelta(minutes=30)  # queue_wait_cap_minutes of HQ


def take(hall: Hall, service: str = "SB-001", **extra: object) -> str:
    reply = hall.kiosk().post("/tickets", json={"service": service, **extra})
    assert reply.status_code == 201, reply.text
    return str(reply.json()["number"])


def line(hall: Hall, queue: str) -> list[str]:
    queues = hall.staff("counter1").get("/queues", params=HQ).json()["queues"]
    return [t["number"] for t in next(q for q in queues if q["queue"] == queue)["tickets"]]


def serve_all(hall: Hall, window: str) -> list[str]:
    """Call and complete at ``window`` until nobody waits for it; the numbers in the order called."""
    clerk = hall.staff("counter1")
    assert clerk.post(f"/windows/{window}/sign-in", params=HQ).status_code == 200
    order = []
    while (reply := clerk.post(f"/counters/{window}/call-next", params=HQ)).status_code == 200:
        order.append(reply.json()["number"])
        assert clerk.post(f"/counters/{window}/complete", params=HQ).status_code == 200
    assert reply.json()["error"]["code"] == "queue_empty"
    return order


def elderly_after_a_walk_in(hall: Hall) -> str:
    """B001 a walk-in at 10:00, then three elderly citizens (绿色通道) at 10:01, 10:02, 10:03; B001's id."""
    reply = hall.kiosk().post("/tickets", json={"service": "SB-001"}).json()
    assert reply["number"] == "B001"
    for minute in (1, 2, 3):
        hall.clock.set(DEFAULT_NOW + timedelta(minutes=minute))
        take(hall, priority="elderly")
    return str(reply["id"])


def people_ahead(hall: Hall, ticket_id: str) -> int:
    return int(hall.client().get(f"/tickets/{ticket_id}").json()["people_ahead"])


def test_one_second_before_the_cap_priority_still_goes_first(hall: Hall) -> None:
    walk_in = elderly_after_a_walk_in(hall)
    hall.clock.set(DEFAULT_NOW + CAP - timedelta(seconds=1))
    assert people_ahead(hall, walk_in) == 3
    assert line(hall, "B") == ["B002", "B003", "B004", "B001"]
    assert serve_all(hall, "15") == ["B002", "B003", "B004", "B001"]


def test_at_the_cap_exactly_the_walk_in_is_passed_over_no_more(hall: Hall) -> None:
    walk_in = elderly_after_a_walk_in(hall)
    hall.clock.set(DEFAULT_NOW + CAP)
    assert people_ahead(hall, walk_in) == 0
    assert line(hall, "B") == ["B001", "B002", "B003", "B004"]
    assert serve_all(hall, "15") == ["B001", "B002", "B003", "B004"]


def test_the_cap_reached_between_two_calls_changes_the_next_call(hall: Hall) -> None:
    elderly_after_a_walk_in(hall)
    clerk = hall.staff("counter1")
    assert clerk.post("/windows/15/sign-in", params=HQ).status_code == 200
    hall.clock.set(DEFAULT_NOW + CAP - timedelta(seconds=1))
    order: list[Any] = [clerk.post("/counters/15/call-next", params=HQ).json()["number"]]
    clerk.post("/counters/15/complete", params=HQ)
    hall.clock.set(DEFAULT_NOW + CAP)
    order.append(clerk.post("/counters/15/call-next", params=HQ).json()["number"])
    clerk.post("/counters/15/complete", params=HQ)
    order += serve_all(hall, "15")
    assert order == ["B002", "B001", "B003", "B004"]


def test_a_transferred_citizen_keeps_their_place_in_the_new_queue(hall: Hall) -> None:
    c_service = next(s["code"] for s in hall.kiosk().get("/services").json()["services"] if s["queue"] == "C")
    assert take(hall) == "B001"  # 10:00
    hall.clock.set(DEFAULT_NOW + timedelta(minutes=1))
    assert take(hall, c_service) == "C001"
    hall.clock.set(DEFAULT_NOW + timedelta(minutes=2))
    assert take(hall, c_service, priority="pregnant") == "C002"
    hall.clock.set(DEFAULT_NOW + timedelta(minutes=3))
    assert take(hall, c_service) == "C003"
    hall.clock.set(DEFAULT_NOW + timedelta(minutes=5))
    clerk = hall.staff("counter1")
    clerk.post("/windows/15/sign-in", params=HQ)
    assert clerk.post("/counters/15/call-next", params=HQ).json()["number"] == "B001"
    moved = clerk.post("/counters/15/transfer", params=HQ, json={"queue": "C"}).json()
    # Issued at 10:00, B001's holder goes behind the pregnant citizen only, ahead of C001 (10:01).
    assert moved["number"] == "C004" and moved["issued_at"] == "2026-11-25T10:00:00+08:00"
    assert moved["people_ahead"] == 1
    assert line(hall, "C") == ["C002", "C004", "C001", "C003"]
    assert clerk.post("/windows/15/sign-out", params=HQ).status_code == 200
    assert serve_all(hall, "25") == ["C002", "C004", "C001", "C003"]


def test_a_new_tickets_place_counts_overdue_priority_and_a_clock_behind_exactly(hall: Hall) -> None:
    """Issue counts the line's plain walk-ins in the database and reads only the rest: a ticket issued by
    a node whose clock runs ahead is behind a later ticket of this node, overdue and priority tickets
    are read one by one; each place given at issue is the place the line then shows."""
    kiosk = hall.kiosk()

    def issued(minute: int, **extra: object) -> tuple[str, int]:
        hall.clock.set(DEFAULT_NOW + timedelta(minutes=minute))
        reply = kiosk.post("/tickets", json={"service": "SB-001", **extra})
        assert reply.status_code == 201, reply.text
        answer = reply.json()
        assert people_ahead(hall, answer["id"]) == answer["people_ahead"]
        return str(answer["number"]), int(answer["people_ahead"])

    assert issued(0) == ("B001", 0)
    assert issued(1, priority="elderly") == ("B002", 0)
    assert issued(5) == ("B003", 2)
    # This node's clock is a minute behind the one that issued B003: B003 is not ahead of B004.
    assert issued(4) == ("B004", 2)
    # At 10:31 B001 has waited past the cap: first of all, even of the priority classes.
    assert issued(31) == ("B005", 4)
    assert issued(31, priority="military") == ("B006", 2)
    assert line(hall, "B") == ["B001", "B002", "B006", "B004", "B003", "B005"]
    # What issue reads of that line at 10:31: the walk-ins B003 to B005 counted, the other three read.
    now = DEFAULT_NOW + timedelta(minutes=31)
    with hall.db.read() as conn:
        view = store_tickets.line_for_issue(conn, "HQ", now.date(), "B", now, CAP)
    assert view.numbered == 6 and view.plain == 3
    assert sorted(row.seq for row in view.line) == [1, 2, 6]
