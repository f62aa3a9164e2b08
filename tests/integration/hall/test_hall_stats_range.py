"""The queue and window reports over a week of demo history (with transfers added), by the whole range, by
day and by hour, equal the figures the test computes itself from the same events one by one: however the
report's SQL groups them to read the event index in order, the figures are those of the events."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from hall_server.demo_history import fill_demo_history
from hall_server.domain.statistics import mean, percentile, share
from hall_server.state.calendar_book import CalendarBook
from hall_server.store import events
from hall_server.store import models as m

from .conftest import DEFAULT_NOW, Hall, local

pytestmark = pytest.mark.db
FIRST, LAST = "2026-11-18", "2026-11-24"
WAIT_TARGET_S = 20 * 60  # HQ's wait_target_minutes
COUNTED = ("ticket_issued", "ticket_completed", "ticket_no_show", "ticket_transferred")


def add_transfers_and_a_completion_without_its_service(hall: Hall) -> None:
    """Two transfers from A to B (the old ticket counts transferred in A, the new one transferred in to B),
    and a completion whose service is unknown (served, but no service time)."""
    with hall.db.write() as conn:
        for n, at in enumerate((local(2026, 11, 19, 10, 5), local(2026, 11, 23, 14, 40))):
            dims = {"queue": "A", "service": "SB-002", "department": "HRSS", "window": "3",
                    "clerk": "counter1"}
            events.append(conn, "ticket_transferred", "HQ", at, **dims, subject=f"t_x{n}", span_s=95 + n)
            events.append(conn, "ticket_issued", "HQ", at, queue="B", service="SB-001", department="HRSS",
                          subject=f"t_y{n}", detail="transfer", related=f"t_x{n}")
        events.append(conn, "ticket_completed", "HQ", local(2026, 11, 20, 11, 0), queue="B",
                      service="SB-001", department="HRSS", window="3", clerk="counter1", subject="t_z")


def raw_events(hall: Hall) -> list[Any]:
    e = m.events
    with hall.db.read() as conn:
        query = select(e.c.kind, e.c.day, e.c.hour, e.c.queue, e.c.window, e.c.clerk, e.c.detail, e.c.span_s)
        days = (date.fromisoformat(FIRST), date.fromisoformat(LAST))
        return list(conn.execute(query.where(e.c.site == "HQ", e.c.day.between(*days))))


def bucket(by: str, event: Any) -> tuple[str, ...]:
    day = event.day.isoformat()
    return {"total": (), "day": (day,), "hour": (f"{day}T{event.hour:02d}",)}[by]


def queue_rows(found: list[Any], by: str) -> tuple[dict[tuple[Any, ...], dict[str, Any]], dict[str, Any]]:
    """Each queue's figures (per bucket), and the totals, from the events one by one."""
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for event in found:
        counted = event.kind in COUNTED or (event.kind == "ticket_called" and event.span_s is not None)
        if event.queue is not None and counted:
            groups[(*bucket(by, event), event.queue)].append(event)

    def figures(group: list[Any]) -> dict[str, Any]:
        def count(kind: str, transfer: bool | None = None) -> int:
            return sum(1 for e in group
                       if e.kind == kind and (transfer is None or (e.detail == "transfer") == transfer))
        waits = [e.span_s for e in group if e.kind == "ticket_called" and e.span_s is not None]
        services = [e.span_s for e in group if e.kind == "ticket_completed" and e.span_s is not None]
        return {"issued": count("ticket_issued", False), "transferred_in": count("ticket_issued", True),
                "called": len(waits), "served": count("ticket_completed"), "no_show": count("ticket_no_show"),
                "transferred": count("ticket_transferred"), "wait_p50_s": percentile(waits, 50),
                "wait_p90_s": percentile(waits, 90), "wait_mean_s": mean(waits),
                "service_p50_s": percentile(services, 50), "service_mean_s": mean(services),
                "within_target_share": share(sum(1 for w in waits if w <= WAIT_TARGET_S), len(waits))}

    return ({key: figures(group) for key, group in groups.items()},
            figures([e for group in groups.values() for e in group]))


def window_rows(found: list[Any], by: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for event in found:
        if event.window is not None and event.kind in (
                "ticket_completed", "ticket_no_show", "ticket_transferred"):
            groups[(*bucket(by, event), event.window, event.clerk)].append(event)
    rows = {}
    for key, group in groups.items():
        services = [e.span_s for e in group if e.kind == "ticket_completed" and e.span_s is not None]
        rows[key] = {"served": sum(1 for e in group if e.kind == "ticket_completed"),
                     "no_show": sum(1 for e in group if e.kind == "ticket_no_show"),
                     "transferred": sum(1 for e in group if e.kind == "ticket_transferred"),
                     "service_mean_s": mean(services), "service_p90_s": percentile(services, 90),
                     "busy_s": sum(e.span_s for e in group if e.span_s is not None)}
    return rows


@pytest.mark.parametrize("by", ["total", "day", "hour"])
def test_queue_and_window_figures_of_a_week_equal_the_events_counted_one_by_one(hall: Hall, by: str) -> None:
    fill_demo_history(hall.db, CalendarBook(hall.db).site("HQ"), DEFAULT_NOW, days=7)
    add_transfers_and_a_completion_without_its_service(hall)
    found = raw_events(hall)
    lead = () if by == "total" else (by,)
    manager = hall.staff("manager1")
    params = {"site": "HQ", "from": FIRST, "to": LAST, "by": by}

    reply = manager.get("/stats/queues", params=params)
    assert reply.status_code == 200, reply.text
    expected, totals = queue_rows(found, by)
    names = (*lead, "queue")
    got = {tuple(row[c] for c in names): {k: v for k, v in row.items() if k not in names}
           for row in reply.json()["queues"]}
    assert got == expected
    assert reply.json()["totals"] == totals
    assert totals["transferred_in"] == 2 and totals["transferred"] == 2 and totals["served"] > 1000

    reply = manager.get("/stats/windows", params=params)
    assert reply.status_code == 200, reply.text
    rows = {tuple(row[c] for c in (*lead, "window", "clerk")): row for row in reply.json()["windows"]}
    expected_windows = window_rows(found, by)
    assert {key: {k: rows[key][k] for k in figures} for key, figures in expected_windows.items()} == (
        expected_windows)
    assert all(row["served"] == 0 for key, row in rows.items() if key not in expected_windows)


def test_a_range_s_by_day_rows_add_up_to_its_total(hall: Hall) -> None:
    fill_demo_history(hall.db, CalendarBook(hall.db).site("HQ"), DEFAULT_NOW, days=7)
    manager = hall.staff("manager1")
    params = {"site": "HQ", "from": FIRST, "to": LAST}
    total = manager.get("/stats/queues", params={**params, "by": "total"}).json()
    by_day = manager.get("/stats/queues", params={**params, "by": "day"}).json()
    assert by_day["totals"] == total["totals"]
    for queue in {row["queue"] for row in total["queues"]}:
        days = [row for row in by_day["queues"] if row["queue"] == queue]
        whole = next(row for row in total["queues"] if row["queue"] == queue)
        for name in ("issued", "called", "served", "no_show"):
            assert sum(row[name] for row in days) == whole[name]
