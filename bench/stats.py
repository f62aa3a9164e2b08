"""Statistics over a large hall's event log: report times against their budgets, and what events cost.

Run: ``python bench/stats.py [--db URL] [--days 90] [--per-day 6000]``. Without ``--db`` a SQLite file in a
temporary directory; with ``--db postgresql+psycopg://…`` a scratch database beside it. Fills ``days`` past
days of ``per-day`` tickets (issued, called, started, completed or no-show, a review for some: about five
events a ticket) straight through the driver, then measures, each the median of several runs:

- the queue report of one day by hour (budget 300 ms), of all the days (budget 2 s; also by day, printed
  without a budget), the window report of a day;
- the live panel with a busy morning's open tickets (budget 100 ms);
- ticket issue with its event and without (the event line patched out): the ratio must stay ≤ 1.10.

Prints one line per figure with its budget; exits 1 when one is over.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hall_server.clock import SettableClock
from hall_server.config import Settings
from hall_server.demo import seed_demo
from hall_server.state.hall_state import HallState
from hall_server.store import schema
from hall_server.store.database import Database
from hall_server.store.event_queries import Scope
from hall_server.store.scratch_database import scratch_database
from hall_server.usecases import stats_live, stats_queues
from hall_server.usecases import tickets as ticketing
from hall_server.usecases.caller import Caller

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=TZ)
QUEUES = {"A": "SB-002", "B": "SB-001", "C": "HJ-001", "D": "YB-001", "E": "GJJ-001", "F": "BDC-001"}
COLUMNS = ("kind", "site", "at", "day", "hour", "queue", "service", "department", "window", "clerk",
           "subject", "value", "span_s", "demo")


@contextmanager
def database(url: str | None) -> Iterator[str]:
    if url is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
    else:
        with scratch_database(url) as scratch:
            yield scratch


def ticket_events(rng: random.Random, day: date, n: int) -> Iterator[tuple[Any, ...]]:
    """About five events per ticket of one day, open 09:00-17:00, over six queues and 40 windows."""
    opens = datetime(day.year, day.month, day.day, 9, tzinfo=TZ).astimezone(UTC)
    for i in range(n):
        queue = "ABCDEF"[i % 6]
        ticket = f"t_b_{day.isoformat()}_{i}"
        issued = opens + timedelta(seconds=rng.uniform(0, 8 * 3600))
        window = str(1 + rng.randrange(40))
        called = issued + timedelta(seconds=rng.expovariate(1 / 600))
        base = ("HQ", queue, QUEUES[queue], "DEPT" + queue)
        span = round((called - issued).total_seconds())
        yield ("ticket_issued", issued, base, None, ticket, None, None)
        yield ("ticket_called", called, base, window, ticket, None, span)
        if rng.random() < 0.05:
            yield ("ticket_no_show", called + timedelta(seconds=120), base, window, ticket, None, 120)
            continue
        started = called + timedelta(seconds=40)
        service = round(rng.lognormvariate(6.2, 0.4))
        done = started + timedelta(seconds=service)
        yield ("ticket_started", started, base, window, ticket, None, None)
        yield ("ticket_completed", done, base, window, ticket, None, service)
        if rng.random() < 0.3:
            level = rng.choice((5, 5, 4, 2))
            yield ("review_given", done + timedelta(seconds=30), base, window, f"r_{ticket}", level, None)


def fill(db: Database, days: int, per_day: int) -> int:
    """Write the events through the driver (the ORM's per-row work would take longer than the bench)."""
    rng = random.Random(7)
    sqlite = db.is_sqlite
    mark = "?" if sqlite else "%s"
    # Quoted: "window" is a reserved word in PostgreSQL.
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    sql = f"INSERT INTO events ({names}) VALUES ({', '.join([mark] * len(COLUMNS))})"
    written = 0
    for back in range(days, 0, -1):
        day = TODAY - timedelta(days=back)
        rows = []
        for kind, at, dims, window, subject, value, span in ticket_events(rng, day, per_day):
            site, queue, service, department = dims
            local = at.astimezone(TZ)
            stamp: Any = at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at
            rows.append((kind, site, stamp, day.isoformat() if sqlite else day, local.hour, queue, service,
                         department, window, f"clerk{window}" if window else None, subject, value, span, 0))
        with db.write() as conn:
            conn.exec_driver_sql(sql, rows)
        written += len(rows)
    return written


def median_ms(work: Callable[[], Any], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (SQLite's work is in it, PostgreSQL's is not):
    on a machine shared with other work the CPU time says what the report costs, the wall time what a
    manager would wait."""
    times = []
    cpu = []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(times), statistics.median(cpu)


def issue_ms(hall: HallState, count: int) -> list[float]:
    """Times of walk-in tickets, each issued in its own write transaction (the route's work)."""
    times = []
    for _ in range(count):
        create = ticketing.walk_in_ticket(hall, _Staff(), site="HQ", service="SB-001", priority=None,
                                          lang="zh-Hans", base_url="http://bench/")
        started = time.perf_counter()
        with hall.db.write() as conn:
            create(conn)
        times.append((time.perf_counter() - started) * 1000)
    return times


def issue_ratio(hall: HallState, rounds: int = 6, per_round: int = 40) -> tuple[float, float]:
    """Median issue time with events and without (the event line patched out), in alternating rounds so
    that a noisy neighbour on the machine weighs on both alike."""
    with_events: list[float] = []
    without: list[float] = []
    real = ticketing.ticket_event
    for _ in range(rounds):
        with_events += issue_ms(hall, per_round)
        ticketing.ticket_event = lambda *args, **kwargs: None  # type: ignore[assignment]
        try:
            without += issue_ms(hall, per_round)
        finally:
            ticketing.ticket_event = real  # type: ignore[assignment]
    return statistics.median(with_events), statistics.median(without)


class _Staff(Caller):
    """Counter staff naming the site, as the bench has no session."""

    def site_of_request(self, requested: str | None) -> str:
        return requested or "HQ"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", help="a PostgreSQL URL (a scratch database is made beside it)")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--per-day", type=int, default=6000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args(argv)
    over = False
    with database(options.db) as url, tempfile.TemporaryDirectory() as data_dir:
        db = Database(url, pool_size=4)
        schema.upgrade(db)
        clock = SettableClock(NOW)
        seed_demo(db, NOW, Path(data_dir))
        hall = HallState(Settings(db_url=url, data_dir=Path(data_dir)), db, clock)
        started = time.perf_counter()
        events = fill(db, options.days, options.per_day) if options.days else 0
        print(f"{db.engine.dialect.name}: {events} events of {options.days} days × {options.per_day} tickets "
              f"written in {time.perf_counter() - started:.0f} s")
        # The morning so far: issued tickets waiting and at windows, for the live panel.
        for minute in range(0, 90, 1):
            clock.set(NOW - timedelta(minutes=90 - minute))
            issue_ms(hall, 3)
        clock.set(NOW)
        day = TODAY - timedelta(days=options.days // 2)
        one_day = Scope("HQ", day, day)
        all_days = Scope("HQ", TODAY - timedelta(days=options.days), TODAY - timedelta(days=1))
        # With days=0 only the issue ratio is measured.
        figures: list[tuple[str, tuple[float, float], int | None]] = [] if not options.days else [
            ("queue report, one day", median_ms(lambda: stats_queues.queues_report(hall, one_day, "hour"),
                                                options.runs), 300),
            ("window report, one day", median_ms(lambda: stats_queues.windows_report(hall, one_day, "total"),
                                                 options.runs), 300),
            (f"queue report, {options.days} days", median_ms(
                lambda: stats_queues.queues_report(hall, all_days, "total"), max(2, options.runs // 2)),
             2000),
            ("  the same by day", median_ms(lambda: stats_queues.queues_report(hall, all_days, "day"), 1),
             None),
            ("live panel", median_ms(lambda: stats_live.live_answer(hall, "HQ", {}), options.runs * 4), 100),
        ]
        for name, (ms, cpu_ms), budget in figures:
            late = budget is not None and ms > budget
            over |= late
            limit = "no budget" if budget is None else f"budget {budget} ms"
            print(f"{name:28s} {ms:8.1f} ms  (cpu here {cpu_ms:7.1f} ms; {limit}){'  OVER' if late else ''}")
        # The machine's other work weighs on every wall time above: printed so figures are read with it.
        load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
        print(f"load average (1, 5, 15 min) after the reports: {load} on {os.cpu_count()} cores")
        with_events, without = issue_ratio(hall)
        ratio = with_events / without
        over |= ratio > 1.10
        print(f"{'ticket issue with events':28s} {with_events:8.2f} ms, without {without:.2f} ms: "
              f"ratio {ratio:.3f} (budget 1.10){'  OVER' if ratio > 1.10 else ''}")
        db.dispose()
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
