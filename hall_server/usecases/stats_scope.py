"""What every statistics report shares: the checked scope (site, days, department, service), the grouping
by day or hour, and the report as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from hall_server.state.hall_state import HallState
from hall_server.store.event_queries import Scope
from hall_server.usecases.catalogue import known_department, require_service
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import known_site

__all__ = ["MAX_DAYS", "Grouping", "Report", "Scope", "bucket_columns", "bucket_key", "bucket_of", "grouped",
           "key_dict", "stats_scope"]

Grouping = Literal["total", "day", "hour"]
MAX_DAYS = 366


@dataclass(frozen=True)
class Report:
    """A report's rows (each a flat dict), its totals, and anything else the JSON answer carries."""

    name: str  # the key of the rows in the answer: queues, windows, reviews, kiosks, assist
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    extra: dict[str, Any]

    def answer(self, scope: Scope, by: Grouping) -> dict[str, Any]:
        head = {"site": scope.site, "from": scope.first.isoformat(), "to": scope.last.isoformat(), "by": by,
                "department": scope.department, "service": scope.service}
        return {**head, self.name: self.rows, "totals": self.totals, **self.extra}

    def csv(self, by: Grouping) -> str:
        """The rows, then a ``total`` row: the same figures as the JSON answer's, column for column."""
        lead = () if by == "total" else (by,)
        columns = (*lead, *self.columns)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for row in self.rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
        total = {**self.totals, **{c: "total" for c in (*lead, self.columns[0]) if c not in self.totals}}
        writer.writerow([_cell(total.get(c)) for c in columns])
        return out.getvalue()


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def stats_scope(hall: HallState, site: str, first: date | None, last: date | None, department: str | None,
                service: str | None) -> Scope:
    """The scope of a report; today (hall time) when no days are given. Refusals: unknown_site,
    invalid_range, stats_range_too_long, unknown_department, unknown_service."""
    known_site(site)
    today = hall.calendars.site(site).local(hall.now()).date()
    first = first or last or today
    last = last or first
    if last < first:
        raise Refusal("invalid_range", "the range ends before it starts")
    if (last - first).days + 1 > MAX_DAYS:
        raise Refusal("stats_range_too_long", f"a report covers at most {MAX_DAYS} days")
    if department is not None:
        known_department(department)
    if service is not None:
        require_service(service)
    return Scope(site, first, last, department, service)


def bucket_of(by: Grouping, day: date | str, hour: int | None) -> dict[str, Any]:
    """The grouping key of a row: nothing, its day, or its day and hour (``2026-11-25T09``)."""
    if by == "total":
        return {}
    text = day if isinstance(day, str) else day.isoformat()
    if by == "day":
        return {"day": text[:10]}
    return {"hour": f"{text[:10]}T{int(hour or 0):02d}"}


def bucket_columns(by: Grouping) -> tuple[str, ...]:
    """The event columns a grouping reads."""
    return {"total": (), "day": ("day",), "hour": ("day", "hour")}[by]


def bucket_key(by: Grouping, row: Any) -> tuple[Any, ...]:
    """The grouping key of an event row as ``bucket_of`` names it (empty for ``total``)."""
    if by == "total":
        return ()
    # Only an hour's key reads the hour: a row without one answers a missing attribute slowly (an exception
    # inside SQLAlchemy), which a long range by day paid for every row.
    return tuple(bucket_of(by, row.day, getattr(row, "hour", None) if by == "hour" else None).values())


def grouped(items: Iterable[Any], key: Callable[[Any], tuple[Any, ...]]) -> dict[tuple[Any, ...], list[Any]]:
    """Items by key, keys in sorted order (None sorts first)."""
    found: dict[tuple[Any, ...], list[Any]] = {}
    for item in items:
        found.setdefault(key(item), []).append(item)
    return {k: found[k] for k in sorted(found, key=lambda k: tuple((v is not None, v) for v in k))}


def key_dict(names: Sequence[str], key: tuple[Any, ...]) -> dict[str, Any]:
    return {name: value for name, value in zip(names, key, strict=True) if name != "_"}
