"""Thirty past days of simulated hall activity for the demo (``serve --demo``), marked ``demo = 1``.

A seeded generator: arrivals by hour (the morning and early-afternoon peaks of a service centre), one
first-come queue per prefix served by its windows, service times per queue, no-shows, reviews with the
follow-ups of bad ones, kiosk visits, paper-outs and video-help calls. The same seed and day give the same
history. Written once: a database that holds demo events already is left as it is.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select

from hall_server.domain.calendar import PlannedSession, SiteCalendar
from hall_server.domain.catalogue import default_catalogue
from hall_server.domain.follow_ups import working_days_left
from hall_server.store import events
from hall_server.store import models as m
from hall_server.store.database import Database

SEED = 20261125
# The answer every demo case that was closed was given (整改反馈).
DEMO_ANSWER = "已电话回访评价人，说明原因并改进窗口服务。"
# Arrivals per hour of the day, relative to the busiest (10:00).
HOURLY = {9: 0.8, 10: 1.0, 11: 0.7, 12: 0.2, 13: 0.5, 14: 0.9, 15: 0.8, 16: 0.5, 17: 0.3, 18: 0.3, 19: 0.3,
          20: 0.2}
PEAK_PER_COUNTER_HOUR = 6.5
MEDIAN_SERVICE_S = {"A": 420, "B": 480, "C": 720, "D": 600, "E": 540, "F": 900}
LEVELS = ((5, 0.70), (4, 0.19), (3, 0.06), (2, 0.035), (1, 0.015))
KIOSK_FUNCTIONS = (("ticket", 0.45), ("booking", 0.15), ("check_in", 0.15), ("records", 0.15),
                   ("guide", 0.07), ("assist", 0.03))


@dataclass
class History:
    """The rows being made, and the clock-free randomness they come from."""

    site: str
    cal: SiteCalendar
    rng: random.Random
    now: datetime
    rows: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)

    def add(self, kind: str, at: datetime, **dims: Any) -> None:
        local = self.cal.local(at)
        self.rows.append({**dict.fromkeys(events.DIMENSIONS), **dims, "kind": kind, "site": self.site,
                          "at": at, "day": local.date(), "hour": local.hour, "demo": 1})


def fill_demo_history(db: Database, cal: SiteCalendar, now: datetime, days: int = 30) -> int:
    """Write ``days`` past days of ``cal``'s site before ``now``'s day; returns the events written (0 when
    the demo history is there already)."""
    site = cal.site.code
    with db.write() as conn:
        e = m.events
        if conn.execute(select(func.count()).where(e.c.site == site, e.c.demo == 1)).scalar_one():
            return 0
        history = History(site, cal, random.Random(f"{SEED}:{site}"), now)
        today = cal.local(now).date()
        for back in range(days, 0, -1):
            _day(history, today - timedelta(days=back), today)
        for start in range(0, len(history.rows), 5000):
            events.append_many(conn, history.rows[start:start + 5000])
        _store_reviews(conn, history)
    return len(history.rows)


def _day(h: History, day: date, today: date) -> None:
    plan = h.cal.day_plan(day)
    by_queue: dict[str, list[str]] = {}
    for service in default_catalogue().services:
        by_queue.setdefault(service.queue, []).append(service.code)
    departments = {s.code: s.department for s in default_catalogue().services}
    for session in plan.staffed_sessions:
        for queue, services in sorted(by_queue.items()):
            windows = [w.number for w in h.cal.site.windows if w.queues and w.queues[0] == queue]
            counters = min(session.rule.counters_for(queue), len(windows))
            if counters:
                _queue_session(h, session, queue, services, departments, windows[:counters], today)
    if plan.staffed_sessions:
        _kiosks_and_calls(h, plan.staffed_sessions[0].start, plan.staffed_sessions[-1].end)


def _arrivals(h: History, session: PlannedSession, rate_per_hour: float) -> Iterator[datetime]:
    at = session.start
    last = session.walk_in_until - timedelta(minutes=10)
    while True:
        rate = rate_per_hour * HOURLY.get(h.cal.local(at).hour, 0.3) / 3600
        at += timedelta(seconds=h.rng.expovariate(rate) if rate > 0 else 600)
        if at >= last:
            return
        yield at


def _queue_session(h: History, session: PlannedSession, queue: str, services: list[str],
                   departments: dict[str, str], windows: list[str], today: date) -> None:
    free = dict.fromkeys(windows, session.start)
    for window in windows:
        h.add("window_signed_in", session.start, window=window, clerk=f"demo-{window}")
    median = MEDIAN_SERVICE_S.get(queue, 600)
    for issued in _arrivals(h, session, PEAK_PER_COUNTER_HOUR * len(windows) * 0.9):
        service = h.rng.choice(services)
        ticket = _ident(h, "t_demo_")
        dims = {"queue": queue, "service": service, "department": departments[service], "subject": ticket}
        origin = "booking" if h.rng.random() < 0.15 else "walk_in"
        h.add("ticket_issued", issued, **dims, detail=origin)
        window = min(free, key=lambda w: free[w])
        called = max(issued, free[window]) + timedelta(seconds=h.rng.uniform(5, 40))
        at_window = {**dims, "window": window, "clerk": f"demo-{window}"}
        h.add("ticket_called", called, **at_window, span_s=_seconds(called - issued))
        if h.rng.random() < 0.04:
            done = called + timedelta(seconds=h.rng.uniform(60, 180))
            h.add("ticket_no_show", done, **at_window, span_s=_seconds(done - called))
            free[window] = done
            continue
        started = called + timedelta(seconds=h.rng.uniform(20, 90))
        completed = started + timedelta(seconds=median * math.exp(h.rng.gauss(0, 0.45)))
        h.add("ticket_started", started, **at_window)
        h.add("ticket_completed", completed, **at_window, span_s=_seconds(completed - started))
        free[window] = completed
        if h.rng.random() < 0.35:
            _review(h, completed + timedelta(seconds=h.rng.uniform(10, 60)), at_window, ticket, today)
    for window in windows:
        h.add("window_signed_out", max(session.end, free[window]), window=window, clerk=f"demo-{window}")


def _review(h: History, at: datetime, dims: dict[str, Any], ticket: str, today: date) -> None:
    level = _pick(h.rng, LEVELS)
    review = _ident(h, "r_demo_")
    h.add("review_given", at, **{**dims, "subject": review, "related": ticket, "detail": "ticket",
                                 "value": level})
    if level > 2:
        return
    reasons = [h.rng.choice(("long_wait", "slow", "poor_attitude", "repeated_visits", "system_failure"))]
    h.reviews.append({"id": review, "site": h.site, "level": level, "reasons": reasons, "comment": None,
                      "subject_type": "ticket", "subject_id": ticket, "rater": "demo", "created_at": at})
    case = _ident(h, "f_demo_")
    due = h.cal.add_working_days(h.cal.local(at).date(), h.cal.site.settings.follow_up_working_days)
    closed_at = at + timedelta(days=h.rng.uniform(0.2, 3))
    closed = closed_at < h.now and h.rng.random() < 0.85
    where = {"queue": dims["queue"], "service": dims["service"], "department": dims["department"]}
    h.add("follow_up_opened", at, **where, subject=case, related=review, value=level)
    steps: dict[str, Any] = {}
    if closed:
        # The desk's steps, in its order (no draw of the generator: the rest of the history stays as it was).
        assigned_at, answered_at = at + (closed_at - at) / 4, at + (closed_at - at) * 3 / 4
        steps = {"assignee": "counter1", "assigned_at": assigned_at, "answer": DEMO_ANSWER,
                 "answered_at": answered_at, "answered_by": "manager1", "closed_at": closed_at,
                 "closed_by": "manager1"}
        left = working_days_left(h.cal, h.cal.local(answered_at).date(), due)
        for kind, when, more in (
                ("follow_up_assigned", assigned_at, {"clerk": "counter1", "detail": "manager1"}),
                ("follow_up_answered", answered_at, {"clerk": "manager1", "value": left}),
                ("follow_up_closed", closed_at, {"clerk": "manager1"})):
            h.add(kind, when, **where, subject=case, related=review, span_s=_seconds(when - at), **more)
    h.cases.append({"id": case, "review_id": review, "site": h.site, "due": due,
                    "status": "closed" if closed else "open", "created_at": at, "assignee": None,
                    "assigned_at": None, "answer": None, "answered_at": None, "answered_by": None,
                    "closed_at": None, "closed_by": None, **steps})


def _kiosks_and_calls(h: History, opens: datetime, closes: datetime) -> None:
    span = (closes - opens).total_seconds()
    for _ in range(h.rng.randint(110, 180)):
        start = opens + timedelta(seconds=h.rng.uniform(0, span))
        visit = _ident(h, "v_demo_")
        function = _pick(h.rng, KIOSK_FUNCTIONS)
        h.add("kiosk_visit_started", start, kiosk="kiosk-01", subject=visit, detail=function)
        h.add("kiosk_visit_ended", start + timedelta(seconds=h.rng.uniform(40, 400)), kiosk="kiosk-01",
              subject=visit, detail=function, value=int(h.rng.random() < 0.86))
    if h.rng.random() < 0.35:
        h.add("device_fault", opens + timedelta(seconds=h.rng.uniform(0, span)), kiosk="kiosk-01",
              detail="printer", related="paper_out")
    for _ in range(h.rng.randint(8, 25)):
        queued = opens + timedelta(seconds=h.rng.uniform(0, span))
        call = {"subject": _ident(h, "c_demo_"), "kiosk": "kiosk-01",
                "department": h.rng.choice(("general", "HRSS", "MED", "PSB"))}
        h.add("assist_queued", queued, **call, detail=call["department"])
        if h.rng.random() < 0.88:
            answered = queued + timedelta(seconds=h.rng.expovariate(1 / 35))
            h.add("assist_answered", answered, **call, clerk="agent1")
            h.add("assist_ended", answered + timedelta(seconds=h.rng.uniform(120, 600)), **call,
                  detail="staff_hangup")
        else:
            h.add("assist_abandoned", queued + timedelta(seconds=h.rng.uniform(30, 300)), **call,
                  detail="kiosk_hangup")


def _seconds(span: timedelta) -> int:
    return max(0, round(span.total_seconds()))


def _ident(h: History, prefix: str) -> str:
    return f"{prefix}{h.rng.getrandbits(64):016x}"


def _pick(rng: random.Random, weighted: tuple[tuple[Any, float], ...]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _store_reviews(conn: Connection, history: History) -> None:
    if history.reviews:
        conn.execute(insert(m.reviews), history.reviews)
        conn.execute(insert(m.follow_ups), history.cases)
