"""The 好差评 desk over HTTP with a real database: bad reviews' cases listed overdue first with their working
days left, assigned, answered and closed (each dated, each an event once), the refusals of wrong steps, and
/stats/reviews following the desk."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hall_server.store import models as m

from .conftest import Hall, local

pytestmark = pytest.mark.db


def bad_review(hall: Hall, level: int, reason: str) -> str:
    """A ticket of SB-001 (社保, HRSS) rated ``level`` at the kiosk now; the follow-up case it opened."""
    ticket = hall.kiosk().post("/tickets", json={"service": "SB-001"})
    assert ticket.status_code == 201, ticket.text
    reply = hall.kiosk().post("/reviews", json={"level": level, "reasons": [reason],
                                                "subject": {"type": "ticket", "id": ticket.json()["id"]}})
    assert reply.status_code == 201, reply.text
    return str(reply.json()["follow_up"]["id"])


def signed_in(hall: Hall, username: str = "manager1") -> httpx.Client:
    """A fresh session (a session of an earlier day has expired on the driven clock)."""
    hall._staff_tokens.pop(username, None)
    return hall.staff(username)


def refused(reply: httpx.Response) -> tuple[int, str]:
    return reply.status_code, reply.json()["error"]["code"]


def case_events(hall: Hall, case: str) -> list[tuple[Any, ...]]:
    e = m.events
    with hall.db.read() as conn:
        rows = conn.execute(select(e.c.kind, e.c.at, e.c.clerk, e.c.detail, e.c.value, e.c.span_s,
                                   e.c.department, e.c.related)
                            .where(e.c.subject == case).order_by(e.c.id)).all()
    return [tuple(r) for r in rows]


def test_a_case_is_assigned_answered_and_closed_each_dated_and_logged_once(hall: Hall) -> None:
    hall.clock.set(local(2026, 11, 16, 10, 0))  # a Monday: due five working days later, Monday the 23rd
    late = bad_review(hall, 1, "slow")
    hall.clock.set(local(2026, 11, 25, 9, 30))  # Wednesday: that case is two working days overdue
    case = bad_review(hall, 2, "long_wait")
    desk = hall.staff("manager1")

    listed = desk.get("/reviews/follow-ups", params={"status": "pending", "site": "HQ"})
    assert listed.status_code == 200, listed.text
    cases = listed.json()["follow_ups"]
    assert [(c["id"], c["due"], c["working_days_left"], c["overdue"]) for c in cases] == [
        (late, "2026-11-23", -2, True), (case, "2026-12-02", 5, False)]
    assert cases[1]["department"] == "HRSS" and cases[1]["status"] == "open" and cases[1]["assignee"] is None
    assert "rater" not in listed.text and "kiosk-01" not in listed.text
    staff = desk.get("/reviews/follow-ups/assignees").json()["staff"]
    assert {("counter1", "counter"), ("manager1", "manager")} <= {(s["username"], s["role"]) for s in staff}

    hall.clock.set(local(2026, 11, 25, 10, 0))
    assigned = desk.post(f"/reviews/follow-ups/{case}/assign", json={"assignee": "agent1"})
    hall.clock.set(local(2026, 11, 25, 10, 5))
    reassigned = desk.post(f"/reviews/follow-ups/{case}/assign", json={"assignee": "counter1"})
    assert assigned.status_code == 200 and reassigned.status_code == 200, reassigned.text
    assert (reassigned.json()["assignee"], reassigned.json()["assigned_at"]) == (
        "counter1", "2026-11-25T10:05:00+08:00")
    assert refused(desk.post(f"/reviews/follow-ups/{case}/close")) == (409, "follow_up_not_answered")

    hall.clock.set(local(2026, 11, 26, 15, 0))
    desk = signed_in(hall)
    answered = desk.post(f"/reviews/follow-ups/{case}/answer", json={"answer": "  已电话回访，窗口已改进。 "})
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert (body["status"], body["answer"], body["answered_by"], body["answered_at"]) == (
        "answered", "已电话回访，窗口已改进。", "manager1", "2026-11-26T15:00:00+08:00")
    assert refused(desk.post(f"/reviews/follow-ups/{case}/answer", json={"answer": "again"})) == (
        409, "follow_up_already_answered")
    assert refused(desk.post(f"/reviews/follow-ups/{case}/assign", json={"assignee": "agent1"})) == (
        409, "follow_up_already_answered")

    hall.clock.set(local(2026, 11, 27, 9, 0))
    admin, desk = signed_in(hall, "admin"), signed_in(hall)
    closed = admin.post(f"/reviews/follow-ups/{case}/close")
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["closed_by"], closed.json()["closed_at"]) == (
        "closed", "admin", "2026-11-27T09:00:00+08:00")
    hall.clock.set(local(2026, 11, 27, 9, 10))
    again = desk.post(f"/reviews/follow-ups/{case}/close")
    assert again.status_code == 200 and again.json() == closed.json()
    assert refused(desk.post(f"/reviews/follow-ups/{case}/answer", json={"answer": "late"})) == (
        409, "follow_up_closed")
    assert refused(desk.post(f"/reviews/follow-ups/{case}/assign", json={"assignee": "counter1"})) == (
        409, "follow_up_closed")

    opened = local(2026, 11, 25, 9, 30)
    steps = [(kind, at, clerk, detail, value, span) for kind, at, clerk, detail, value, span, *_ in
             case_events(hall, case)]
    assert steps == [
        ("follow_up_opened", opened, None, None, 2, None),
        ("follow_up_assigned", local(2026, 11, 25, 10, 0), "agent1", "manager1", None, 1800),
        ("follow_up_assigned", local(2026, 11, 25, 10, 5), "counter1", "manager1", None, 2100),
        # Answered on Thursday the 26th: four working days before the due Wednesday.
        ("follow_up_answered", local(2026, 11, 26, 15, 0), "manager1", None, 4,
         round(timedelta(days=1, hours=5, minutes=30).total_seconds())),
        ("follow_up_closed", local(2026, 11, 27, 9, 0), "admin", None, None,
         round(timedelta(days=1, hours=23, minutes=30).total_seconds())),
    ]
    assert {(r[6], r[7]) for r in case_events(hall, case)} == {("HRSS", cases[1]["review"]["id"])}

    # The report of the two days: both cases, the overdue one first, the closed one with its steps.
    stats = desk.get("/stats/reviews", params={"site": "HQ", "from": "2026-11-16", "to": "2026-11-27"})
    assert stats.status_code == 200, stats.text
    report = stats.json()
    assert [(b["follow_up"], b["status"], b["overdue"]) for b in report["bad_reviews"]] == [
        (late, "open", True), (case, "closed", False)]
    assert report["bad_reviews"][1]["assignee"] == "counter1"
    assert report["bad_reviews"][1]["answered_at"] == "2026-11-26T15:00:00+08:00"
    assert report["bad_reviews"][1]["closed_at"] == "2026-11-27T09:00:00+08:00"
    assert (report["totals"]["bad"], report["totals"]["follow_ups_answered"],
            report["totals"]["follow_ups_closed"]) == (2, 1, 1)
    assert [c["id"] for c in desk.get("/reviews/follow-ups", params={"status": "closed"}).json()[
        "follow_ups"]] == [case]
    assert [c["id"] for c in desk.get("/reviews/follow-ups").json()["follow_ups"]] == [late]


def test_wrong_steps_are_refused_with_stable_codes_and_change_nothing(hall: Hall) -> None:
    case = bad_review(hall, 1, "slow")
    desk = hall.staff("manager1")
    for path, body in (("assign", {"assignee": "counter1"}), ("answer", {"answer": "ok"}), ("close", None)):
        assert refused(desk.post(f"/reviews/follow-ups/f_missing/{path}", json=body)) == (
            404, "follow_up_not_found")
    assert refused(desk.post(f"/reviews/follow-ups/{case}/assign", json={"assignee": "nobody"})) == (
        422, "unknown_staff")
    assert refused(desk.post(f"/reviews/follow-ups/{case}/answer", json={"answer": "   "})) == (
        422, "answer_required")
    assert refused(desk.post(f"/reviews/follow-ups/{case}/answer", json={"answer": "改" * 1001})) == (
        422, "answer_too_long")
    for body in ({}, {"answer": 5}, {"answer": "ok", "extra": 1}, {"answer": "a\x00b"}):
        assert refused(desk.post(f"/reviews/follow-ups/{case}/answer", json=body)) == (422, "invalid_request")
    assert refused(desk.post(f"/reviews/follow-ups/{case}/assign", json={"assignee": "a b"})) == (
        422, "invalid_request")
    assert refused(desk.get("/reviews/follow-ups", params={"status": "lost"})) == (422, "invalid_request")
    assert refused(desk.get("/reviews/follow-ups", params={"site": "NOPE"})) == (404, "unknown_site")
    assert refused(hall.staff("counter1").get("/reviews/follow-ups")) == (403, "forbidden")
    # Nothing changed: the case is open, unassigned, and its only event is its opening.
    only = desk.get("/reviews/follow-ups").json()["follow_ups"]
    assert [(c["id"], c["status"], c["assignee"], c["answer"]) for c in only] == [(case, "open", None, None)]
    assert [r[0] for r in case_events(hall, case)] == ["follow_up_opened"]


def pages(desk: httpx.Client, status: str, limit: int) -> list[list[str]]:
    """The ids of every page of one list, following ``next_cursor`` to the end."""
    found: list[list[str]] = []
    params: dict[str, Any] = {"status": status, "site": "HQ", "limit": limit}
    while True:
        reply = desk.get("/reviews/follow-ups", params=params)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert len(body["follow_ups"]) <= limit
        found.append([c["id"] for c in body["follow_ups"]])
        if body["next_cursor"] is None:
            return found
        params["cursor"] = body["next_cursor"]


def test_the_lists_come_in_pages_in_the_desk_order_and_a_case_opened_meanwhile_is_not_listed_twice(
        hall: Hall) -> None:
    def opened(day: int, minute: int) -> str:
        # A minute apart: cases due the same day list by when they were opened.
        hall.clock.set(local(2026, 11, day, 9, minute))
        return bad_review(hall, 2, "long_wait")

    overdue = [opened(16, 0), opened(16, 1)]  # Monday: due Monday the 23rd
    done = [opened(24, 0), opened(24, 1), opened(24, 2)]
    answered = opened(24, 3)
    waiting = [opened(25, 0), opened(25, 1)]  # Wednesday: the first two are overdue
    desk = signed_in(hall)
    for case in (*done, answered):
        assert desk.post(f"/reviews/follow-ups/{case}/answer", json={"answer": "已回访"}).status_code == 200
    for case in done:
        assert desk.post(f"/reviews/follow-ups/{case}/close").status_code == 200

    whole = desk.get("/reviews/follow-ups", params={"status": "all", "limit": 200}).json()
    assert [c["id"] for c in whole["follow_ups"]] == [*overdue, *waiting, answered, *done]
    assert (whole["total"], whole["overdue"], whole["next_cursor"]) == (8, 2, None)
    assert pages(desk, "all", 3) == [[*overdue, waiting[0]], [waiting[1], answered, done[0]], done[1:]]
    assert pages(desk, "closed", 2) == [done[:2], done[2:]]
    assert pages(desk, "all", 8) == [[*overdue, *waiting, answered, *done]]
    first = desk.get("/reviews/follow-ups", params={"status": "closed", "limit": 1}).json()
    assert (first["total"], first["overdue"], len(first["follow_ups"])) == (3, 0, 1)

    # A bad review comes in while the manager reads page one: an open case, it sorts before the page's last
    # (answered) case, so page two neither repeats that case (as an offset would) nor shows the new one.
    page_one = desk.get("/reviews/follow-ups", params={"status": "all", "limit": 5}).json()
    newer = opened(25, 30)
    page_two = desk.get("/reviews/follow-ups", params={"status": "all", "limit": 5,
                                                      "cursor": page_one["next_cursor"]}).json()
    assert [c["id"] for c in page_one["follow_ups"]] == [*overdue, *waiting, answered]
    assert [c["id"] for c in page_two["follow_ups"]] == done
    assert page_two["next_cursor"] is None and page_two["total"] == 9
    assert pages(desk, "all", 5) == [[*overdue, *waiting, newer], [answered, *done]]


def test_a_bad_page_parameter_is_refused_with_a_stable_code(hall: Hall) -> None:
    bad_review(hall, 1, "slow")
    desk = hall.staff("manager1")
    for limit in ("0", "201", "-1", "x", ""):
        assert refused(desk.get("/reviews/follow-ups", params={"limit": limit})) == (422, "invalid_request")
    cursor = desk.get("/reviews/follow-ups", params={"limit": 1}).json()
    assert cursor["next_cursor"] is None and len(cursor["follow_ups"]) == 1

    def encoded(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    wrong = ["%%%", "bm90IGpzb24", encoded([1, 2]),
             encoded([9, "2026-11-23", "2026-11-16T02:00:00+00:00", "f_a"]),
             encoded([1, "2026-13-01", "2026-11-16T02:00:00+00:00", "f_a"]),
             encoded([1, "2026-11-23", "2026-11-16T02:00:00", "f_a"]),
             encoded([1, "2026-11-23", "2026-11-16T02:00:00+00:00", "x y"]),
             encoded([True, "2026-11-23", "2026-11-16T02:00:00+00:00", "f_a"]), "x" * 401]
    for value in wrong:
        assert refused(desk.get("/reviews/follow-ups", params={"cursor": value})) == (
            422, "invalid_request" if len(value) > 400 else "invalid_cursor"), value
    # A well-made cursor past every case: an empty last page.
    last = encoded([3, "2999-01-01", "2999-01-01T00:00:00+00:00", "f_zzz"])
    beyond = desk.get("/reviews/follow-ups", params={"status": "all", "cursor": last})
    assert beyond.status_code == 200 and beyond.json()["follow_ups"] == [] and beyond.json()["total"] == 1
