"""Review (好差评) statistics: counts per level, the satisfaction share, and the bad reviews' follow-ups
with their deadlines in working days, overdue ones first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from hall_server.domain.calendar import SiteCalendar
from hall_server.domain.follow_ups import desk_order, is_overdue, working_days_left
from hall_server.domain.reviews import LEVELS, is_bad
from hall_server.domain.statistics import SATISFIED_LEVELS, share
from hall_server.state.hall_state import HallState
from hall_server.store import event_queries
from hall_server.store import reviews as review_store
from hall_server.store.event_queries import Scope
from hall_server.usecases.stats_scope import Grouping, Report, bucket_of, grouped, key_dict

REVIEW_COLUMNS = ("department", "reviews", *(f"level_{n}" for n in sorted(LEVELS)), "satisfied",
                  "satisfaction_share", "bad", "follow_ups_answered", "follow_ups_closed")


def review_figures(levels: Sequence[int], answered: int, closed: int) -> dict[str, Any]:
    satisfied = sum(1 for v in levels if v in SATISFIED_LEVELS)
    return {
        "reviews": len(levels),
        **{f"level_{n}": sum(1 for v in levels if v == n) for n in sorted(LEVELS)},
        "satisfied": satisfied,
        "satisfaction_share": share(satisfied, len(levels)),
        "bad": sum(1 for v in levels if is_bad(v)),
        "follow_ups_answered": answered,
        "follow_ups_closed": closed,
    }


def reviews_report(hall: HallState, scope: Scope, by: Grouping) -> Report:
    """Per department (and day or hour): reviews by level, satisfaction share, bad ones; and the bad
    reviews' follow-up cases of the range with state and deadline, overdue first."""
    with hall.db.read() as conn:
        kinds = ("review_given", "follow_up_answered", "follow_up_closed")
        given = event_queries.event_rows(conn, scope, kinds, "department", "value", "day", "hour", "subject")
        cases = {c.id: c for c in review_store.follow_ups(conn, None, scope.site)}
        opened = event_queries.event_rows(conn, scope, ("follow_up_opened",), "subject", "department")
    names = (*bucket_of(by, "2000-01-01", 0), "department")
    table = []
    by_key = grouped(given, lambda e: (*bucket_of(by, e.day, e.hour).values(), e.department))
    for key, items in by_key.items():
        levels = [int(e.value) for e in items if e.kind == "review_given"]
        table.append({**key_dict(names, key), **review_figures(levels, *_steps(items))})
    totals = review_figures([int(e.value) for e in given if e.kind == "review_given"], *_steps(given))
    cal = hall.calendars.site(scope.site)
    today = cal.local(hall.now()).date()
    bad = []
    for event in opened:
        case = cases.get(event.subject)
        if case is None:
            continue
        left = working_days_left(cal, today, case.due)
        bad.append({"follow_up": case.id, "review": case.review_id, "level": case.level,
                    "department": event.department, "reasons": case.reasons, "status": case.status,
                    "opened_at": case.created_at.astimezone(cal.site.tz).isoformat(),
                    "due": case.due.isoformat(), "working_days_left": left,
                    "overdue": is_overdue(case.status, case.due, today), "assignee": case.assignee,
                    "answered_at": _when(cal, case.answered_at), "closed_at": _when(cal, case.closed_at)})
    bad.sort(key=lambda b: desk_order(b["status"], b["overdue"], b["due"], b["opened_at"]))
    return Report("reviews", REVIEW_COLUMNS, table, totals, {"bad_reviews": bad})


def _steps(items: Sequence[Any]) -> tuple[int, int]:
    """Follow-ups answered and closed among the events."""
    return (sum(1 for e in items if e.kind == "follow_up_answered"),
            sum(1 for e in items if e.kind == "follow_up_closed"))


def _when(cal: SiteCalendar, at: datetime | None) -> str | None:
    return None if at is None else cal.local(at).isoformat()
