"""Kiosk and video-help statistics: visits per function, completion, faults and paper-outs; calls,
answered within 60 s, waiting and talk time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hall_server.domain.statistics import ASSIST_ANSWER_TARGET_S, mean, percentile, rounded, share
from hall_server.state.hall_state import HallState
from hall_server.store import event_queries
from hall_server.store.event_queries import Scope
from hall_server.usecases.stats_scope import Grouping, Report, bucket_of, grouped, key_dict

KIOSK_COLUMNS = ("kiosk", "function", "visits", "completed", "completion_share", "faults", "paper_outs")
ASSIST_COLUMNS = ("department", "calls", "answered", "answered_within_60s", "answered_within_60s_share",
                  "abandoned", "wait_p50_s", "wait_p90_s", "talk_mean_s", "talk_p90_s")
KIOSK_KINDS = ("kiosk_visit_started", "kiosk_visit_ended", "device_fault")
ASSIST_KINDS = ("assist_queued", "assist_answered", "assist_ended", "assist_abandoned")


def kiosk_figures(events: Sequence[Any]) -> dict[str, Any]:
    visits = sum(1 for e in events if e.kind == "kiosk_visit_started")
    completed = sum(1 for e in events if e.kind == "kiosk_visit_ended" and e.value)
    faults = [e for e in events if e.kind == "device_fault"]
    return {"visits": visits, "completed": completed, "completion_share": share(completed, visits),
            "faults": len(faults), "paper_outs": sum(1 for e in faults if "paper" in (e.related or ""))}


def kiosks_report(hall: HallState, scope: Scope, by: Grouping) -> Report:
    """Per kiosk and function (faults have no function: their rows name none)."""
    with hall.db.read() as conn:
        found = event_queries.event_rows(conn, scope, KIOSK_KINDS, "kiosk", "detail", "related", "value",
                                         "day", "hour")
    names = (*bucket_of(by, "2000-01-01", 0), "kiosk", "function")

    def key(e: Any) -> tuple[Any, ...]:
        function = None if e.kind == "device_fault" else e.detail
        return (*bucket_of(by, e.day, e.hour).values(), e.kiosk, function)

    table = [{**key_dict(names, k), **kiosk_figures(items)} for k, items in grouped(found, key).items()]
    return Report("kiosks", KIOSK_COLUMNS, table, kiosk_figures(found), {})


def assist_figures(calls: Sequence[dict[str, Any]]) -> dict[str, Any]:
    waits = [c["answered"] - c["queued"] for c in calls if c.get("answered") is not None]
    talks = [c["ended"] - c["answered"] for c in calls
             if c.get("answered") is not None and c.get("ended") is not None]
    within = sum(1 for w in waits if w <= ASSIST_ANSWER_TARGET_S)
    return {"calls": len(calls), "answered": len(waits), "answered_within_60s": within,
            "answered_within_60s_share": share(within, len(calls)),
            "abandoned": sum(1 for c in calls if c.get("abandoned") is not None),
            "wait_p50_s": rounded(percentile(waits, 50)), "wait_p90_s": rounded(percentile(waits, 90)),
            "talk_mean_s": mean(talks), "talk_p90_s": rounded(percentile(talks, 90))}


def assist_report(hall: HallState, scope: Scope, by: Grouping) -> Report:
    """Per department (the skill asked for) and day or hour of the call."""
    with hall.db.read() as conn:
        found = event_queries.event_rows(conn, scope, ASSIST_KINDS, "subject", "department", "day", "hour")
    calls: dict[str, dict[str, Any]] = {}
    for e in found:
        call = calls.setdefault(e.subject, {"department": e.department, "day": e.day, "hour": e.hour})
        call.setdefault(e.kind.removeprefix("assist_"), e.at_s)
    known = [c for c in calls.values() if "queued" in c]
    names = (*bucket_of(by, "2000-01-01", 0), "department")
    table = [{**key_dict(names, k), **assist_figures(items)}
             for k, items in grouped(known, lambda c: (*bucket_of(by, c["day"], c["hour"]).values(),
                                                       c["department"])).items()]
    return Report("assist", ASSIST_COLUMNS, table, assist_figures(known), {})
