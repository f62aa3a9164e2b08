"""Walk-in tickets, check-in tickets, the counter actions and the tracking page, through the HTTP API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from hall_server.store import models as m

from .conftest import Hall, local

pytestmark = pytest.mark.db


def take(hall: Hall, service: str = "SB-001", **extra: object) -> dict:
    reply = hall.kiosk().post("/tickets", json={"service": service, **extra})
    assert reply.status_code == 201, reply.text
    return reply.json()


def counter(hall: Hall, action: str, name: str = "15", **kw: object):  # type: ignore[no-untyped-def]
    """A counter action of counter1 at window ``name`` (B zone: 15-24), signed in there first."""
    staff = hall.staff("counter1")
    signed_in = staff.post(f"/windows/{name}/sign-in", params={"site": "HQ"})
    assert signed_in.status_code == 200, signed_in.text
    return staff.post(f"/counters/{name}/{action}", params={"site": "HQ"}, **kw)


def test_walk_in_ticket_has_number_place_and_tracking_link(hall: Hall) -> None:
    first = take(hall)
    second = take(hall)
    assert (first["number"], second["number"]) == ("B001", "B002")
    assert first["queue"] == "B" and first["site"] == "HQ" and first["status"] == "waiting"
    assert first["service"] == {"code": "SB-001", "name": "社会保险参保缴费记录查询"}
    assert second["people_ahead"] == 1 and second["estimated_wait_s"] > 0 and first["people_ahead"] == 0
    assert second["tracking_url"] == f"http://hall.test/t/{second['id']}"
    assert first["where"] == "一楼B区 15-24号窗口"
    assert first["issued_at"] == "2026-11-25T10:00:00+08:00"
    again = hall.client().get(f"/tickets/{second['id']}")  # public, by unguessable id
    assert again.status_code == 200 and again.json()["people_ahead"] == 1


def test_other_queues_number_on_their_own_and_english_names(hall: Hall) -> None:
    reply = hall.kiosk().post("/tickets", params={"lang": "en"}, json={"service": "SB-001"})
    assert reply.json()["service"]["name"] == "Social Insurance Payment Record Enquiry"
    codes = {s["queue"]: s["code"] for s in hall.kiosk().get("/services").json()["services"]}
    other = take(hall, codes["A"])
    assert other["number"] == "A001"


def test_numbers_past_999_grow_a_digit_as_printed(hall: Hall) -> None:
    """On PostgreSQL the number is formatted in the issuing statement: the same rule as on SQLite
    (``domain.queue.ticket_number``), at least three digits and more when needed."""
    first = take(hall)
    with hall.db.write() as conn:
        counters = m.ticket_counters
        conn.execute(update(counters).where(counters.c.queue == "B").values(last_number=998))
    issued = [take(hall) for _ in range(3)]
    assert (first["number"], [t["number"] for t in issued]) == ("B001", ["B999", "B1000", "B1001"])
    assert [t["people_ahead"] for t in issued] == [1, 2, 3]


def test_unknown_service_and_unknown_ticket(hall: Hall) -> None:
    reply = hall.kiosk().post("/tickets", json={"service": "XX-999"})
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "unknown_service")
    reply = hall.client().get("/tickets/t_nothing_here")
    assert (reply.status_code, reply.json()["error"]["code"]) == (404, "ticket_not_found")


def test_queue_closed_outside_sessions_names_the_next_opening(hall: Hall) -> None:
    hall.clock.set(local(2026, 11, 25, 12, 30))  # lunch break
    reply = hall.kiosk().post("/tickets", json={"service": "SB-001"})
    assert reply.status_code == 409
    body = reply.json()
    assert body["error"]["code"] == "queue_closed"
    assert body["next_open"] == "2026-11-25T13:00:00+08:00"


def test_walk_ins_stop_before_the_evening_session_ends_but_issued_tickets_are_served(hall: Hall) -> None:
    hall.clock.set(local(2026, 11, 25, 20, 29))
    last = take(hall)
    hall.clock.set(local(2026, 11, 25, 20, 31))  # 30 minutes before 21:00
    reply = hall.kiosk().post("/tickets", json={"service": "SB-001"})
    assert (reply.status_code, reply.json()["error"]["code"]) == (409, "queue_closed")
    hall.clock.set(local(2026, 11, 25, 21, 20))  # after the end: 不打烊, the last ticket is still called
    called = counter(hall, "call-next")
    assert called.status_code == 200 and called.json()["id"] == last["id"]


def test_saturday_morning_offers_only_its_departments(hall: Hall) -> None:
    hall.clock.set(local(2026, 11, 28, 10, 0))
    assert hall.kiosk().post("/tickets", json={"service": "SB-001"}).status_code == 201  # HRSS is offered
    codes = {s["department"]["code"]: s["code"] for s in hall.kiosk().get("/services").json()["services"]}
    reply = hall.kiosk().post("/tickets", json={"service": codes["TAX"]})
    assert (reply.status_code, reply.json()["error"]["code"]) == (409, "service_not_offered")


def test_counter_serves_priority_before_normal_and_in_issue_order(hall: Hall) -> None:
    normal1 = take(hall)
    hall.clock.advance(timedelta(minutes=1))
    normal2 = take(hall)
    hall.clock.advance(timedelta(minutes=1))
    elderly = take(hall, priority="elderly")
    assert elderly["people_ahead"] == 0
    order = []
    for _ in range(3):
        reply = counter(hall, "call-next")
        assert reply.status_code == 200
        order.append(reply.json()["id"])
        assert counter(hall, "complete").status_code == 200
    assert order == [elderly["id"], normal1["id"], normal2["id"]]
    reply = counter(hall, "call-next")
    assert (reply.status_code, reply.json()["error"]["code"]) == (404, "queue_empty")


def test_counter_action_states(hall: Hall) -> None:
    ticket = take(hall)
    assert counter(hall, "complete").json()["error"]["code"] == "no_current_ticket"
    called = counter(hall, "call-next").json()
    assert called["status"] == "called" and called["counter"] == "15"
    busy = counter(hall, "call-next")
    assert (busy.status_code, busy.json()["error"]["code"]) == (409, "counter_busy")
    hall.clock.advance(timedelta(minutes=1))
    assert counter(hall, "recall").json()["status"] == "called"
    assert counter(hall, "start").json()["status"] == "serving"
    assert counter(hall, "recall").json()["error"]["code"] == "wrong_ticket_state"
    hall.clock.advance(timedelta(minutes=4))
    done = counter(hall, "complete").json()
    assert done["status"] == "done" and done["id"] == ticket["id"]
    # The service took 4 minutes: the next estimate uses it, over the windows serving queue B now: with
    # a clerk signed in, the hall counts signed-in windows (1), not the session's planned 4.
    take(hall)
    waiting = take(hall)
    assert waiting["estimated_wait_s"] == 240


def test_no_show_and_transfer(hall: Hall) -> None:
    first = take(hall)
    second = take(hall)
    counter(hall, "call-next")
    gone = counter(hall, "no-show").json()
    assert gone["id"] == first["id"] and gone["status"] == "no_show"
    assert counter(hall, "call-next").json()["id"] == second["id"]
    moved = counter(hall, "transfer", json={"queue": "C"})
    assert moved.status_code == 200
    new = moved.json()
    assert new["number"] == "C001" and new["status"] == "waiting" and new["queue"] == "C"
    old = hall.client().get(f"/tickets/{second['id']}").json()
    assert old["status"] == "transferred" and old["transferred_to"] == new["id"]
    bad = counter(hall, "transfer", json={"queue": "Z"})
    assert bad.json()["error"]["code"] in ("unknown_queue", "no_current_ticket")


def test_queue_listing_for_counter_staff(hall: Hall) -> None:
    take(hall)
    take(hall, priority="disabled")
    body = hall.staff("counter1").get("/queues", params={"site": "HQ"}).json()
    queue_b = next(q for q in body["queues"] if q["queue"] == "B")
    assert queue_b["waiting"] == 2 and queue_b["counters_open"] == 4
    assert [t["number"] for t in queue_b["tickets"]] == ["B002", "B001"]


def test_tracking_page_renders_for_a_phone(hall: Hall, artifacts_dir) -> None:  # type: ignore[no-untyped-def]

    take(hall)
    ticket = take(hall)
    page = hall.page(f"/t/{ticket['id']}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "B002" in html and "等候中" in html and "Waiting" in html and "前面还有" in html
    assert 'http-equiv="refresh"' in html
    (artifacts_dir / "hall_tracking_page.html").write_text(html, "utf-8")
    missing = hall.page("/t/t_unknown")
    assert missing.status_code == 404 and "Ticket not found" in missing.text


def test_tracking_page_follows_the_ticket_to_the_counter_and_stops_refreshing(hall: Hall) -> None:

    ticket = take(hall)
    counter(hall, "call-next", name="23")
    called = hall.page(f"/t/{ticket['id']}").text
    assert "请到窗口办理" in called and "Please go to the counter" in called and "<dd>23</dd>" in called
    assert 'http-equiv="refresh"' in called
    counter(hall, "complete", name="23")
    done = hall.page(f"/t/{ticket['id']}").text
    assert "已办结" in done and 'http-equiv="refresh"' not in done
