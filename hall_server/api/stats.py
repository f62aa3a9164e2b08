"""Statistics routes (DESIGN §4.7, role manager or admin): JSON by default, ``?format=csv`` or ``xlsx``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from hall_contract.stats import AssistStats, KioskStats, QueueStats, ReviewStats, WindowStats
from hall_server.api.auth import MANAGER, Caller, hall_of
from hall_server.api.fields import SITE_PATTERN
from hall_server.api.languages import Lang
from hall_server.state.hall_state import HallState
from hall_server.usecases import stats_feedback, stats_kiosks, stats_live, stats_queues
from hall_server.usecases.catalogue import department_names
from hall_server.usecases.stats_scope import Grouping, Report, Scope, stats_scope
from hall_server.usecases.stats_workbook import report_xlsx

router = APIRouter(tags=["statistics"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Builder = Callable[[HallState, Scope, Grouping], Report]


class StatsQuery:
    """The query every report takes: site, days (inclusive, hall time), grouping, filters, format."""

    def __init__(
        self,
        site: str = Query(pattern=SITE_PATTERN),
        first: date | None = Query(None, alias="from"),
        last: date | None = Query(None, alias="to"),
        by: Literal["total", "day", "hour"] = Query("total"),
        department: str | None = Query(None, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$"),
        service: str | None = Query(None, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$"),
        format: Literal["json", "csv", "xlsx"] = Query("json"),
        lang: Lang = Query("zh-Hans"),
    ) -> None:
        self.site, self.first, self.last, self.by = site, first, last, by
        self.department, self.service, self.format, self.lang = department, service, format, lang


def _answer(request: Request, query: StatsQuery, build: Builder) -> Any:
    hall = hall_of(request)
    scope = stats_scope(hall, query.site, query.first, query.last, query.department, query.service)
    report = build(hall, scope, query.by)
    name = f"{report.name}-{scope.site}-{scope.first.isoformat()}-{scope.last.isoformat()}"
    if query.format == "xlsx":
        title = f"{report.name} · {scope.site} · {scope.first.isoformat()} – {scope.last.isoformat()}"
        return Response(report_xlsx(report, query.by, title), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    if query.format == "csv":
        # With a byte-order mark, so that Excel opens the Chinese columns as UTF-8.
        return Response("\ufeff" + report.csv(query.by), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return {**report.answer(scope, query.by), "department_names": department_names(query.lang)}


@router.get("/stats/queues", response_model=QueueStats, response_model_exclude_unset=True)
def queues(request: Request, query: StatsQuery = Depends(), caller: Caller = Depends(MANAGER)) -> Any:
    """Per queue: issued, served, no-shows, transfers, wait p50/p90, service p50, share within target."""
    return _answer(request, query, stats_queues.queues_report)


@router.get("/stats/windows", response_model=WindowStats, response_model_exclude_unset=True)
def windows(request: Request, query: StatsQuery = Depends(), caller: Caller = Depends(MANAGER)) -> Any:
    """Per window and clerk: served, mean and p90 service time, busy and open time, idle share, pauses."""
    return _answer(request, query, stats_queues.windows_report)


@router.get("/stats/reviews", response_model=ReviewStats, response_model_exclude_unset=True)
def reviews(request: Request, query: StatsQuery = Depends(), caller: Caller = Depends(MANAGER)) -> Any:
    """Per department: reviews per level, satisfaction share; bad reviews' follow-ups, overdue first."""
    return _answer(request, query, stats_feedback.reviews_report)


@router.get("/stats/kiosks", response_model=KioskStats, response_model_exclude_unset=True)
def kiosks(request: Request, query: StatsQuery = Depends(), caller: Caller = Depends(MANAGER)) -> Any:
    """Per kiosk and function: visits, completion share, device faults, paper-outs."""
    return _answer(request, query, stats_kiosks.kiosks_report)


@router.get("/stats/assist", response_model=AssistStats, response_model_exclude_unset=True)
def assist(request: Request, query: StatsQuery = Depends(), caller: Caller = Depends(MANAGER)) -> Any:
    """Video-help calls: answered, answered within 60 s, abandoned, waiting and talk time."""
    return _answer(request, query, stats_kiosks.assist_report)


@router.get("/stats/live")
def live(request: Request, site: str = Query(pattern=SITE_PATTERN), caller: Caller = Depends(MANAGER)) -> Any:
    """The floor now (management web, polled): windows, people waiting, kiosks offline, video help."""
    hub = getattr(request.app.state, "assist", None)
    counts = hub.status(site) if hub is not None else {}
    return stats_live.live_answer(hall_of(request), site, counts)
