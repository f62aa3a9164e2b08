"""Queue and window statistics (DESIGN §4.7, docs/statistics.md), derived from the ticket events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hall_server.domain.statistics import TicketSpan, mean, percentile, rounded, share
from hall_server.state.hall_state import HallState
from hall_server.store import event_queries
from hall_server.store.event_queries import Scope
from hall_server.usecases.sites import known_site
from hall_server.usecases.stats_scope import Grouping, Report, bucket_of, grouped, key_dict

QUEUE_COLUMNS = ("queue", "issued", "transferred_in", "called", "served", "no_show", "transferred",
                 "wait_p50_s", "wait_p90_s", "wait_mean_s", "service_p50_s", "service_mean_s",
                 "within_target_share")
WINDOW_COLUMNS = ("window", "clerk", "served", "no_show", "transferred", "service_mean_s", "service_p90_s",
                  "busy_s", "open_s", "idle_share", "pauses")


def _span(row: Any) -> TicketSpan:
    return TicketSpan(ticket=row.subject, queue=row.queue, issued=row.issued, origin=row.origin,
                      first_call=row.first_call, started=row.started, completed=row.completed,
                      no_show=bool(row.no_show), transferred=bool(row.transferred), window=row.window,
                      clerk=row.clerk, finished=row.finished)


def queue_figures(spans: Sequence[TicketSpan], target_s: int) -> dict[str, Any]:
    """The figures of one queue (or of all) over some tickets, as docs/statistics.md defines them."""
    waits = [w for w in (s.wait_s for s in spans) if w is not None]
    services = [v for v in (s.service_s for s in spans) if v is not None]
    return {
        "issued": sum(1 for s in spans if s.issued is not None and s.origin != "transfer"),
        "transferred_in": sum(1 for s in spans if s.origin == "transfer"),
        "called": len(waits),
        "served": sum(1 for s in spans if s.completed is not None),
        "no_show": sum(1 for s in spans if s.no_show),
        "transferred": sum(1 for s in spans if s.transferred),
        "wait_p50_s": rounded(percentile(waits, 50)),
        "wait_p90_s": rounded(percentile(waits, 90)),
        "wait_mean_s": mean(waits),
        "service_p50_s": rounded(percentile(services, 50)),
        "service_mean_s": mean(services),
        "within_target_share": share(sum(1 for w in waits if w <= target_s), len(waits)),
    }


def _rows(hall: HallState, scope: Scope) -> list[tuple[Any, TicketSpan]]:
    with hall.db.read() as conn:
        return [(row, _span(row)) for row in event_queries.ticket_rows(conn, scope)]


def queues_report(hall: HallState, scope: Scope, by: Grouping) -> Report:
    """Per queue (and day or hour of issue): issued, served, no-shows, transfers, waits and services."""
    target_s = known_site(scope.site).settings.wait_target_minutes * 60
    rows = _rows(hall, scope)
    names = (*bucket_of(by, "2000-01-01", 0), "queue")
    table = [
        {**key_dict(names, key), **queue_figures([s for _, s in items], target_s)}
        for key, items in grouped(rows, lambda r: (*bucket_of(by, r[0].day, r[0].hour).values(), r[1].queue))
        .items()
    ]
    totals = queue_figures([s for _, s in rows], target_s)
    return Report("queues", QUEUE_COLUMNS, table, totals, {"wait_target_s": target_s})


def window_figures(spans: Sequence[TicketSpan]) -> dict[str, Any]:
    services = [v for v in (s.service_s for s in spans) if v is not None]
    busy = sum(s.busy_s or 0.0 for s in spans)
    return {
        "served": sum(1 for s in spans if s.completed is not None),
        "no_show": sum(1 for s in spans if s.no_show),
        "transferred": sum(1 for s in spans if s.transferred),
        "service_mean_s": mean(services),
        "service_p90_s": rounded(percentile(services, 90)),
        "busy_s": rounded(busy),
    }


def windows_report(hall: HallState, scope: Scope, by: Grouping) -> Report:
    """Per window and clerk: served, service times, busy and open time, idle share, pauses."""
    rows = [(r, s) for r, s in _rows(hall, scope) if s.window is not None]
    with hall.db.read() as conn:
        shifts = event_queries.event_rows(
            conn, scope, ("window_signed_in", "window_paused", "window_resumed", "window_signed_out"),
            "window", "clerk", "day", "hour")
    opened = open_seconds(shifts, by)
    names = (*bucket_of(by, "2000-01-01", 0), "window", "clerk")
    table = []
    for key, items in grouped(rows, lambda r: (*bucket_of(by, r[0].day, r[0].hour).values(), r[1].window,
                                               r[1].clerk)).items():
        figures = window_figures([s for _, s in items])
        open_s, pauses = opened.get(key, (None, 0))
        idle = None if not open_s else round(max(0.0, 1 - figures["busy_s"] / open_s), 4)
        table.append({**key_dict(names, key), **figures, "open_s": rounded(open_s), "idle_share": idle,
                      "pauses": pauses})
    totals = window_figures([s for _, s in rows])
    open_total = sum(v[0] or 0 for v in opened.values())
    totals |= {"open_s": rounded(open_total) if opened else None,
               "pauses": sum(v[1] for v in opened.values()),
               "idle_share": round(max(0.0, 1 - totals["busy_s"] / open_total), 4) if open_total else None}
    return Report("windows", WINDOW_COLUMNS, table, totals, {})


def open_seconds(shifts: Sequence[Any], by: Grouping) -> dict[tuple[Any, ...], tuple[float | None, int]]:
    """Seconds each window was open (signed in, not paused) and its pauses, by the grouping key of the
    moment it opened, window and clerk. A shift still open at the end of the range counts to its last
    event."""
    seconds: dict[tuple[Any, ...], float] = {}
    pauses: dict[tuple[Any, ...], int] = {}
    since: dict[tuple[Any, ...], tuple[float, tuple[Any, ...]]] = {}
    for event in shifts:
        key = (*bucket_of(by, event.day, event.hour).values(), event.window, event.clerk)
        seconds.setdefault(key, 0.0)
        started = since.pop((event.window, event.clerk), None)
        if started is not None:
            seconds[started[1]] += event.at_s - started[0]
        if event.kind in ("window_signed_in", "window_resumed"):
            since[(event.window, event.clerk)] = (event.at_s, key)
        pauses[key] = pauses.get(key, 0) + (event.kind == "window_paused")
    return {key: (value, pauses.get(key, 0)) for key, value in seconds.items()}
