"""A simulated day with known times, driven through the real API on the hall's clock: every figure of the
statistics equals what the test computes itself from the same day, and the CSV says what the JSON says."""

from __future__ import annotations

import csv
import io
import math
from datetime import datetime
from typing import Any

import httpx
import pytest

from citizen_id.id_number import make_id_number
from hall_server.demo import DEMO_PASSWORD
from hall_server.store import identities

from .conftest import Hall, local

pytestmark = pytest.mark.db

WAIT_TARGET_S = 20 * 60  # HQ's wait_target_minutes (docs/statistics.md)


def nearest_rank(values: list[float], p: float) -> int | None:
    """The test's own percentile, as docs/statistics.md words it (not the hall's function)."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1])


class Day:
    """Drives the hall and writes down, on its own, when each ticket did what."""

    def __init__(self, hall: Hall) -> None:
        self.hall = hall
        self.times: dict[str, dict[str, datetime]] = {}
        self.facts: dict[str, dict[str, Any]] = {}
        # Who works each window (windows 15 and 16 serve queue B, 25 queue C); each signs in at first use.
        self.clerks: dict[str, str] = {}

    def at(self, hour: int, minute: int) -> datetime:
        when = local(2026, 11, 25, hour, minute)
        self.hall.clock.set(when)
        return when

    def issue(self, hour: int, minute: int, service: str = "SB-001") -> str:
        when = self.at(hour, minute)
        reply = self.hall.kiosk().post("/tickets", json={"service": service})
        assert reply.status_code == 201, reply.text
        number = reply.json()["number"]
        self.times[number] = {"issued": when}
        self.facts[number] = {"id": reply.json()["id"], "queue": reply.json()["queue"], "origin": "walk_in"}
        return number

    def clerk(self, window: str) -> httpx.Client:
        if window not in self.clerks:
            username = "counter1" if not self.clerks else f"clerk{window}"
            if username != "counter1":
                with self.hall.db.write() as conn:
                    identities.add_staff(conn, username, "counter", DEMO_PASSWORD, self.hall.clock.now())
            signed = self.hall.staff(username).post(f"/windows/{window}/sign-in", params={"site": "HQ"})
            assert signed.status_code == 200, signed.text
            self.clerks[window] = username
        return self.hall.staff(self.clerks[window])

    def counter(self, window: str, action: str, hour: int, minute: int, **body: Any) -> dict[str, Any]:
        when = self.at(hour, minute)
        reply = self.clerk(window).post(f"/counters/{window}/{action}", params={"site": "HQ"},
                                        json=body or None)
        assert reply.status_code == 200, reply.text
        ticket = reply.json()
        number = ticket["number"]
        if action == "transfer":
            old = next(n for n, f in self.facts.items() if f.get("window") == window and "end" not in f)
            self.times[old]["end"] = when
            self.facts[old] |= {"transferred": True, "end": True}
            self.times[number] = {"issued": when}
            self.facts[number] = {"id": ticket["id"], "queue": ticket["queue"], "origin": "transfer"}
            return ticket
        mine = self.times[number]
        facts = self.facts[number]
        if action == "call-next":
            mine["called"] = mine["last_call"] = when
            facts["window"] = window
        elif action == "recall":
            mine["last_call"] = when
        elif action == "start":
            mine["started"] = when
        elif action == "complete":
            mine["completed"] = when
            mine["end"] = when
            facts["end"] = True
        elif action == "no-show":
            facts["no_show"] = True
            mine["end"] = when
            facts["end"] = True
        return ticket

    def wait(self, number: str) -> float | None:
        t = self.times[number]
        return (t["called"] - t["issued"]).total_seconds() if "called" in t else None

    def service(self, number: str) -> float | None:
        t = self.times[number]
        if "completed" not in t:
            return None
        return (t["completed"] - t.get("started", t["last_call"])).total_seconds()

    def busy(self, number: str) -> float:
        """Serving time of a completed ticket; held time (since the last call) of a no-show or transfer."""
        t = self.times[number]
        served = self.service(number)
        return served if served is not None else (t["end"] - t["last_call"]).total_seconds()


def play_the_day(hall: Hall) -> Day:
    day = Day(hall)
    slot = "HQ:SB-001:2026-11-25T11:00"
    day.at(9, 30)
    who = {"id_number": make_id_number(sequence=301), "name": "王五"}
    booking = hall.kiosk().post("/bookings", json={"service": "SB-001", "slot_id": slot, "citizen": who,
                                                    "channel": "kiosk"})
    assert booking.status_code == 201, booking.text
    b1 = day.issue(10, 0)
    b2 = day.issue(10, 1)
    b3 = day.issue(10, 2)
    day.counter("15", "call-next", 10, 5)      # B001 waits 5 min
    day.counter("15", "start", 10, 6)
    day.counter("16", "call-next", 10, 7)      # B002 waits 6 min
    day.counter("16", "no-show", 10, 10)
    day.counter("15", "complete", 10, 16)      # B001 served 10 min
    b4 = day.issue(10, 20)
    day.counter("15", "call-next", 10, 25)     # B003 waits 23 min: past the 20-minute target
    day.counter("15", "recall", 10, 26)        # a recall is not a first call
    day.counter("16", "call-next", 10, 27)     # B004 waits 7 min
    day.counter("16", "start", 10, 28)
    x1 = day.counter("16", "transfer", 10, 30, queue="C")["number"]
    day.counter("15", "complete", 10, 32)      # B003 never started: served from its last call, 6 min
    day.at(10, 40)
    checked = hall.kiosk().post("/bookings/check-in", json={"check_in_code": booking.json()["check_in_code"]})
    assert checked.status_code == 201, checked.text
    b5 = checked.json()["number"]
    day.times[b5] = {"issued": local(2026, 11, 25, 10, 40)}
    day.facts[b5] = {"id": checked.json()["id"], "queue": "B", "origin": "booking"}
    day.counter("25", "call-next", 10, 41, queues=["C"])  # C001 (transferred) waits 11 min in C
    day.counter("25", "start", 10, 42)
    day.counter("15", "call-next", 10, 45)     # the checked-in booking waits 5 min from check-in
    day.counter("15", "start", 10, 46)
    day.counter("25", "complete", 10, 52)
    day.counter("15", "complete", 11, 0)
    assert [b1, b2, b3, b4, b5, x1] == ["B001", "B002", "B003", "B004", "B005", "C001"]
    return day


def expected_queue(day: Day, numbers: list[str]) -> dict[str, Any]:
    waits = [w for w in (day.wait(n) for n in numbers) if w is not None]
    services = [s for s in (day.service(n) for n in numbers) if s is not None]
    facts = [day.facts[n] for n in numbers]
    return {
        "issued": sum(1 for f in facts if f["origin"] != "transfer"),
        "transferred_in": sum(1 for f in facts if f["origin"] == "transfer"),
        "called": len(waits),
        "served": len(services),
        "no_show": sum(1 for f in facts if f.get("no_show")),
        "transferred": sum(1 for f in facts if f.get("transferred")),
        "wait_p50_s": nearest_rank(waits, 50),
        "wait_p90_s": nearest_rank(waits, 90),
        "wait_mean_s": round(sum(waits) / len(waits), 1) if waits else None,
        "service_p50_s": nearest_rank(services, 50),
        "service_mean_s": round(sum(services) / len(services), 1) if services else None,
        "within_target_share": round(sum(1 for w in waits if w <= WAIT_TARGET_S) / len(waits), 4),
    }


def manager_get(hall: Hall, report: str, **params: str) -> Any:
    reply = hall.staff("manager1").get(f"/stats/{report}", params={"site": "HQ", "from": "2026-11-25",
                                                                    "to": "2026-11-25", **params})
    assert reply.status_code == 200, reply.text
    return reply.json() if params.get("format") != "csv" else reply.text


def csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def same_cells(rows: list[list[Any]]) -> list[list[Any]]:
    """Cells compared as numbers where they are numbers (a workbook keeps 552.0 as 552)."""
    def cell(value: Any) -> Any:
        try:
            return float(value)
        except ValueError:
            return value
    return [[cell(v) for v in row] for row in rows]


def xlsx_rows(hall: Hall, report: str) -> list[list[Any]]:
    """The workbook's header and rows, each cell as the CSV writes it, as numbers where numbers."""
    from openpyxl import load_workbook

    reply = hall.staff("manager1").get(f"/stats/{report}", params={"site": "HQ", "from": "2026-11-25",
                                                                    "to": "2026-11-25", "format": "xlsx"})
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(reply.content)).active
    assert sheet is not None
    rows = sheet.iter_rows(min_row=2, values_only=True)
    return same_cells([[as_csv(cell) for cell in row] for row in rows])


def as_csv(value: Any) -> str:
    return "" if value is None else str(value)


def test_queue_figures_of_a_known_day_equal_the_test_s_own(hall: Hall) -> None:
    day = play_the_day(hall)
    body = manager_get(hall, "queues")
    by_queue = {row["queue"]: row for row in body["queues"]}
    assert set(by_queue) == {"B", "C"}
    b = [n for n, f in day.facts.items() if f["queue"] == "B"]
    c = [n for n, f in day.facts.items() if f["queue"] == "C"]
    for queue, numbers in (("B", b), ("C", c)):
        assert by_queue[queue] == {"queue": queue, **expected_queue(day, numbers)}, queue
    assert body["totals"] == expected_queue(day, b + c)
    # The day's figures written out: 5 issued in B (one by check-in), B002 no-show, B004 transferred to C.
    assert (body["totals"]["issued"], body["totals"]["served"], body["totals"]["no_show"]) == (5, 4, 1)
    assert body["queues"][0]["within_target_share"] == 0.8  # B003's 23 minutes of the five waits
    assert body["wait_target_s"] == WAIT_TARGET_S

    text = manager_get(hall, "queues", format="csv")
    rows = csv_rows(text)
    assert [r["queue"] for r in rows] == ["B", "C", "total"]
    assert xlsx_rows(hall, "queues") == same_cells(list(csv.reader(io.StringIO(text[1:]))))
    for row in rows:
        source = by_queue.get(row["queue"], body["totals"])
        figures = {k: v for k, v in row.items() if k != "queue"}
        assert figures == {k: as_csv(source[k]) for k in figures}


def test_queue_figures_by_hour_and_by_department(hall: Hall) -> None:
    day = play_the_day(hall)
    body = manager_get(hall, "queues", by="hour")
    hours = {(row["hour"], row["queue"]): row for row in body["queues"]}
    # Each figure in the hour of its event: B005's completion at 11:00 is the 11 o'clock row's only one.
    assert set(hours) == {("2026-11-25T10", "B"), ("2026-11-25T10", "C"), ("2026-11-25T11", "B")}
    eleven = hours[("2026-11-25T11", "B")]
    assert (eleven["issued"], eleven["called"], eleven["served"]) == (0, 0, 1)
    assert eleven["service_p50_s"] == day.service("B005") == 14 * 60
    assert body["totals"] == expected_queue(day, list(day.facts))
    only = manager_get(hall, "queues", service="SB-001")
    assert only["totals"]["issued"] == 5
    other = manager_get(hall, "queues", department="PSB")
    assert other["queues"] == [] and other["totals"]["issued"] == 0


def test_window_figures_per_window_and_clerk(hall: Hall) -> None:
    day = play_the_day(hall)
    body = manager_get(hall, "windows")
    rows = {row["window"]: row for row in body["windows"]}
    assert set(rows) == {"15", "16", "25"}
    for window, row in rows.items():
        numbers = [n for n, f in day.facts.items() if f.get("window") == window]
        services = [s for s in (day.service(n) for n in numbers) if s is not None]
        busy = sum(day.busy(n) for n in numbers)
        assert row["clerk"] == day.clerks[window]
        assert row["served"] == len(services)
        assert row["service_mean_s"] == (round(sum(services) / len(services), 1) if services else None)
        assert row["service_p90_s"] == nearest_rank(services, 90)
        assert row["busy_s"] == round(busy)
        assert row["no_show"] == sum(1 for n in numbers if day.facts[n].get("no_show"))
        assert row["transferred"] == sum(1 for n in numbers if day.facts[n].get("transferred"))
    assert rows["16"]["no_show"] == 1 and rows["16"]["transferred"] == 1 and rows["15"]["served"] == 3
    text = manager_get(hall, "windows", format="csv")
    rows_csv = csv_rows(text)
    assert xlsx_rows(hall, "windows") == same_cells(list(csv.reader(io.StringIO(text[1:]))))
    assert [(r["window"], r["served"], r["busy_s"]) for r in rows_csv[:-1]] == [
        (w, str(rows[w]["served"]), str(rows[w]["busy_s"])) for w in ("15", "16", "25")]


def test_review_figures_and_bad_reviews_with_their_deadline(hall: Hall) -> None:
    day = play_the_day(hall)
    kiosk = hall.kiosk()
    given = [("B001", 5, ["efficient"]), ("B003", 2, ["long_wait"]), ("C001", 4, []), ("B005", 1, ["slow"])]
    for number, level, reasons in given:
        reply = kiosk.post("/reviews", json={"level": level, "reasons": reasons,
                                             "subject": {"type": "ticket", "id": day.facts[number]["id"]}})
        assert reply.status_code == 201, reply.text
        if number == "B005":
            case = reply.json()["follow_up"]["id"]
    # The rules: a case is answered before it is closed.
    answered = hall.staff("admin").post(f"/reviews/follow-ups/{case}/answer", json={"answer": "已回访"})
    assert answered.status_code == 200
    assert hall.staff("admin").post(f"/reviews/follow-ups/{case}/close").status_code == 200
    body = manager_get(hall, "reviews")
    levels = [level for _, level, _ in given]
    assert body["totals"] == {
        "reviews": 4, "level_1": 1, "level_2": 1, "level_3": 0, "level_4": 1, "level_5": 1,
        "satisfied": 2, "satisfaction_share": 0.5, "bad": sum(1 for v in levels if v <= 2),
        "follow_ups_answered": 1, "follow_ups_closed": 1,
    }
    # C001 is still an SB-001 ticket after its transfer: one department.
    assert [row["department"] for row in body["reviews"]] == ["HRSS"]
    bad = body["bad_reviews"]
    assert [b["level"] for b in bad] == [2, 1]  # the open one first, the closed one after
    assert bad[0]["status"] == "open" and bad[1]["status"] == "closed"
    # Five working days after Wednesday 25 November: Wednesday 2 December, 5 working days away today.
    assert bad[0]["due"] == "2026-12-02" and bad[0]["working_days_left"] == 5 and not bad[0]["overdue"]
    hall.clock.set(local(2026, 12, 3, 9, 0))
    hall._staff_tokens.clear()  # a week later: the sessions of the 25th have expired
    later = manager_get(hall, "reviews")["bad_reviews"][0]
    assert later["overdue"] and later["working_days_left"] == -1
    rows = csv_rows(manager_get(hall, "reviews", format="csv"))
    assert rows[-1]["department"] == "total" and rows[-1]["satisfaction_share"] == "0.5"


def test_kiosk_visits_and_faults(hall: Hall) -> None:
    kiosk = hall.kiosk()
    hall.clock.set(local(2026, 11, 25, 10, 0))
    for n, (function, completed) in enumerate((("ticket", True), ("ticket", False), ("records", True))):
        visit = f"visit-{n:04d}"
        assert kiosk.post("/kiosks/visits", json={"visit_id": visit, "event": "started",
                                                  "function": function}).status_code == 200
        assert kiosk.post("/kiosks/visits", json={"visit_id": visit, "event": "ended", "function": function,
                                                  "completed": completed}).status_code == 200
    beat = {"app_version": "1.0", "uptime_s": 10, "devices": {"printer": {"state": "ok"}}}
    paper_out = {**beat, "devices": {"printer": {"state": "degraded", "reason": "paper_out"}}}
    for body in (beat, paper_out, paper_out, beat, paper_out):  # two paper-outs, not one per heartbeat
        assert kiosk.post("/kiosks/heartbeat", json=body).status_code == 200
    body = manager_get(hall, "kiosks")
    rows = {(r["kiosk"], r["function"]): r for r in body["kiosks"]}
    assert rows[("kiosk-01", "ticket")] == {
        "kiosk": "kiosk-01", "function": "ticket", "visits": 2, "completed": 1, "completion_share": 0.5,
        "faults": 0, "paper_outs": 0}
    assert rows[("kiosk-01", None)]["faults"] == 2 and rows[("kiosk-01", None)]["paper_outs"] == 2
    assert body["totals"] == {"visits": 3, "completed": 2, "completion_share": 0.6667, "faults": 2,
                              "paper_outs": 2}
    bad = kiosk.post("/kiosks/visits", json={"visit_id": "x", "event": "started", "function": "ticket"})
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_request")


def test_reports_refuse_bad_ranges_and_other_roles(hall: Hall) -> None:
    manager = hall.staff("manager1")
    reply = manager.get("/stats/queues", params={"site": "HQ", "from": "2026-11-25", "to": "2026-11-24"})
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "invalid_range")
    reply = manager.get("/stats/queues", params={"site": "HQ", "from": "2025-01-01", "to": "2026-11-24"})
    assert reply.json()["error"]["code"] == "stats_range_too_long"
    reply = manager.get("/stats/queues", params={"site": "NOPE"})
    assert reply.json()["error"]["code"] == "unknown_site"
    reply = manager.get("/stats/queues", params={"site": "HQ", "by": "week"})
    assert reply.json()["error"]["code"] == "invalid_request"
    assert hall.staff("counter1").get("/stats/queues", params={"site": "HQ"}).status_code == 403
    assert hall.staff("admin").get("/stats/queues", params={"site": "HQ"}).status_code == 200
    empty = manager.get("/stats/queues", params={"site": "HQ"}).json()
    assert empty["queues"] == [] and empty["totals"]["wait_p50_s"] is None


def test_the_live_panel_follows_the_floor(hall: Hall) -> None:
    day = Day(hall)
    day.issue(10, 0)
    day.issue(10, 1)
    hall.clock.set(local(2026, 11, 25, 10, 4))
    live = hall.staff("manager1").get("/stats/live", params={"site": "HQ"}).json()
    assert live["queues"] == [{"queue": "B", "waiting": 2, "longest_wait_s": 240}]
    assert all(w["state"] != "busy" for w in live["windows"])
    assert live["kiosks"] == {"total": 1, "offline": ["kiosk-01"]}  # no heartbeat yet
    day.counter("15", "call-next", 10, 5)
    assert hall.kiosk().post("/kiosks/heartbeat", json={"app_version": "1", "uptime_s": 1}).status_code == 200
    live = hall.staff("manager1").get("/stats/live", params={"site": "HQ"}).json()
    fifteen = next(w for w in live["windows"] if w["window"] == "15")
    assert (fifteen["state"], fifteen["ticket"], fifteen["clerk"]) == ("busy", "B001", "counter1")
    assert fifteen["since"] == "2026-11-25T10:05:00+08:00"
    assert live["queues"] == [{"queue": "B", "waiting": 1, "longest_wait_s": 240}]
    assert live["kiosks"]["offline"] == [] and live["assist"] == {"callers_waiting": 0, "agents_online": 0}
    assert hall.staff("counter1").get("/stats/live", params={"site": "HQ"}).status_code == 403
