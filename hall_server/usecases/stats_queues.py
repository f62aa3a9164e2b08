"""Queue and window statistics (DESIGN §4.7, docs/statistics.md), derived from the ticket events.

Counts come from counting events, durations from histograms of the events' ``span_s``: a report is a few
GROUP BY scans of the event index, whatever the number of tickets.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hall_server.domain.statistics import Histogram, share
from hall_server.state.hall_state import HallState
from hall_server.store import event_queries
from hall_server.store.event_queries import Scope
from hall_server.usecases.sites import known_site
from hall_server.usecases.stats_scope import Grouping, Report, bucket_columns, bucket_key, bucket_of, key_dict

QUEUE_COLUMNS = ("queue", "issued", "transferred_in", "called", "served", "no_show", "transferred",
                 "wait_p50_s", "wait_p90_s", "wait_mean_s", "service_p50_s", "service_mean_s",
                 "within_target_share")
WINDOW_COLUMNS = ("window", "clerk", "served", "no_show", "transferred", "service_mean_s", "service_p90_s",
                  "busy_s", "open_s", "idle_share", "pauses")
COUNTED = ("ticket_issued", "ticket_completed", "ticket_no_show", "ticket_transferred")
COUNT_NAMES = {"ticket_completed": "served", "ticket_no_show": "no_show", "ticket_transferred": "transferred"}


class Figures:
    """What one row of a report adds up: event counts, and the histograms of waits and services."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = defaultdict(int)
        self.waits = Histogram()
        self.services = Histogram()
        self.busy = 0

    def merge(self, other: Figures) -> None:
        for name, count in other.counts.items():
            self.counts[name] += count
        self.waits.merge(other.waits)
        self.services.merge(other.services)
        self.busy += other.busy

    def queue_row(self, target_s: int) -> dict[str, Any]:
        waits = self.waits
        return {
            "issued": self.counts["issued"], "transferred_in": self.counts["transferred_in"],
            "called": waits.n,
            "served": self.counts["served"], "no_show": self.counts["no_show"],
            "transferred": self.counts["transferred"],
            "wait_p50_s": waits.percentile(50), "wait_p90_s": waits.percentile(90),
            "wait_mean_s": waits.mean(),
            "service_p50_s": self.services.percentile(50), "service_mean_s": self.services.mean(),
            "within_target_share": share(waits.at_most(target_s), waits.n),
        }

    def window_row(self) -> dict[str, Any]:
        return {
            "served": self.counts["served"], "no_show": self.counts["no_show"],
            "transferred": self.counts["transferred"], "service_mean_s": self.services.mean(),
            "service_p90_s": self.services.percentile(90), "busy_s": self.busy,
        }


def _figures(hall: HallState, scope: Scope, by: Grouping, *group: str) -> dict[tuple[Any, ...], Figures]:
    """Figures per bucket and ``group`` columns (queue, or window and clerk).

    On SQLite, counts are grouped by day and histograms by detail too, whatever the grouping, and Python
    adds these finer groups up (counts and histograms add): in the column order of SQLite's report index
    (site, kind, day, queue, detail, span_s) the groups come in index order, so SQLite reads them off the
    index instead of sorting every event of the range. PostgreSQL has no such index and aggregates by hash:
    there the extra columns only multiply the groups it expects, and it sorts instead (docs/statistics.md,
    "Speed")."""
    columns = (*bucket_columns(by), *group)
    in_index_order = hall.db.is_sqlite
    counted = (*dict.fromkeys(("day", *bucket_columns(by))), *group) if in_index_order else columns
    durations_by = (*columns, "detail") if in_index_order else columns
    found: dict[tuple[Any, ...], Figures] = defaultdict(Figures)

    def key(row: Any) -> tuple[Any, ...]:
        return (*bucket_key(by, row), *(getattr(row, name) for name in group))

    with hall.db.read() as conn:
        for row in event_queries.kind_counts(conn, scope, COUNTED, *counted, "detail"):
            if row.kind == "ticket_issued":
                name = "transferred_in" if row.detail == "transfer" else "issued"
            else:
                name = COUNT_NAMES[row.kind]
            found[key(row)].counts[name] += row.n
        for kind, durations in (("ticket_called", "waits"), ("ticket_completed", "services")):
            # A long range by day brings hundreds of thousands of rows: each group's histogram is looked up
            # once, by the row's leading columns, not built from a key per row.
            histograms: dict[tuple[Any, ...], Histogram] = {}
            for row in event_queries.span_counts(conn, scope, (kind,), *durations_by):
                head = tuple(row[:len(columns)])
                histogram = histograms.get(head)
                if histogram is None:
                    histogram = histograms[head] = getattr(found[key(row)], durations)
                histogram.add(row.span_s, row.n)
        if "window" in group:
            held = ("ticket_completed", "ticket_no_show", "ticket_transferred")
            for row in event_queries.span_sums(conn, scope, held, *columns):
                found[key(row)].busy += int(row.total)
    return found


def _sorted(found: dict[tuple[Any, ...], Figures]) -> list[tuple[tuple[Any, ...], Figures]]:
    return sorted(found.items(), key=lambda item: tuple((v is not None, v) for v in item[0]))


def queues_report(hall: HallState, scope: Scope, by: Grouping) -> Report:
    """Per queue (and day or hour of each event): issued, served, no-shows, transfers, waits, services."""
    target_s = known_site(scope.site).settings.wait_target_minutes * 60
    found = _figures(hall, scope, by, "queue")
    names = (*bucket_of(by, "2000-01-01", 0), "queue")
    total = Figures()
    table = []
    for key, figures in _sorted(found):
        if key[-1] is None:
            continue
        total.merge(figures)
        table.append({**key_dict(names, key), **figures.queue_row(target_s)})
    return Report("queues", QUEUE_COLUMNS, table, total.queue_row(target_s), {"wait_target_s": target_s})


def windows_report(hall: HallState, scope: Scope, by: Grouping) -> Report:
    """Per window and clerk: served, service times, busy and open time, idle share, pauses."""
    found = _figures(hall, scope, by, "window", "clerk")
    with hall.db.read() as conn:
        shifts = event_queries.event_rows(
            conn, scope, ("window_signed_in", "window_paused", "window_resumed", "window_signed_out"),
            "window", "clerk", "day", "hour")
    opened = open_seconds(shifts, by)
    names = (*bucket_of(by, "2000-01-01", 0), "window", "clerk")
    total = Figures()
    table = []
    for key in sorted(set(found) | set(opened), key=lambda k: tuple((v is not None, v) for v in k)):
        if key[-2] is None:
            continue
        figures = found.get(key) or Figures()
        total.merge(figures)
        open_s, pauses = opened.get(key, (None, 0))
        row = figures.window_row()
        idle = None if not open_s else round(max(0.0, 1 - row["busy_s"] / open_s), 4)
        table.append({**key_dict(names, key), **row, "open_s": None if open_s is None else round(open_s),
                      "idle_share": idle, "pauses": pauses})
    totals = total.window_row()
    open_total = sum(v[0] or 0 for v in opened.values())
    totals |= {"open_s": round(open_total) if opened else None,
               "pauses": sum(v[1] for v in opened.values()),
               "idle_share": round(max(0.0, 1 - totals["busy_s"] / open_total), 4) if open_total else None}
    return Report("windows", WINDOW_COLUMNS, table, totals, {})


def open_seconds(shifts: list[Any], by: Grouping) -> dict[tuple[Any, ...], tuple[float | None, int]]:
    """Seconds each window was open (signed in, not paused) and its pauses, by the grouping key of the
    moment it opened, window and clerk. A shift still open at the end of the range counts to its last
    event."""
    seconds: dict[tuple[Any, ...], float] = {}
    pauses: dict[tuple[Any, ...], int] = {}
    since: dict[tuple[Any, ...], tuple[float, tuple[Any, ...]]] = {}
    for event in shifts:
        key = (*bucket_key(by, event), event.window, event.clerk)
        seconds.setdefault(key, 0.0)
        started = since.pop((event.window, event.clerk), None)
        if started is not None:
            seconds[started[1]] += event.at_s - started[0]
        if event.kind in ("window_signed_in", "window_resumed"):
            since[(event.window, event.clerk)] = (event.at_s, key)
        pauses[key] = pauses.get(key, 0) + (event.kind == "window_paused")
    return {key: (value, pauses.get(key, 0)) for key, value in seconds.items()}
