"""Aggregations over the event log (SQLAlchemy Core, the same SQL on SQLite and PostgreSQL).

Durations need instants as numbers: ``epoch(column)`` compiles to ``julianday`` arithmetic on SQLite and
``extract(epoch …)`` on PostgreSQL. A ticket's events are pivoted into one row per ticket in SQL (one
GROUP BY over the site's days), so Python only sees a row per ticket, never a row per event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, Float, and_, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from hall_server.store import models as m

E = m.events
TICKET_KINDS = ("ticket_issued", "ticket_called", "ticket_started", "ticket_completed", "ticket_no_show",
                "ticket_transferred")


class epoch(FunctionElement[float]):
    """Seconds since 1970 of an instant column."""

    type = Float()
    inherit_cache = True


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: Any, **kw: Any) -> str:
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch, "postgresql")
def _epoch_postgresql(element: epoch, compiler: Any, **kw: Any) -> str:
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"


@dataclass(frozen=True)
class Scope:
    """Which events a report reads: one site, days inclusive, optionally one department or service."""

    site: str
    first: date
    last: date
    department: str | None = None
    service: str | None = None

    def where(self, *kinds: str) -> ColumnElement[bool]:
        terms = [E.c.site == self.site, E.c.day >= self.first, E.c.day <= self.last, E.c.kind.in_(kinds)]
        if self.department is not None:
            terms.append(E.c.department == self.department)
        if self.service is not None:
            terms.append(E.c.service == self.service)
        return and_(*terms)


def _first(kind: str, column: Any) -> Any:
    return func.min(case((E.c.kind == kind, column)))


def _any(kind: str) -> Any:
    return func.max(case((E.c.kind == kind, 1), else_=0))


def ticket_rows(conn: Connection, scope: Scope) -> list[Any]:
    """One row per ticket: subject, queue, day, hour of issue, the first time of each transition, and the
    window and clerk that finished it."""
    at = epoch(E.c.at)
    finish = ("ticket_completed", "ticket_no_show", "ticket_transferred")
    query = (
        select(
            E.c.subject,
            func.min(E.c.queue).label("queue"),
            func.min(E.c.day).label("day"),
            _first("ticket_issued", E.c.hour).label("hour"),
            _first("ticket_issued", at).label("issued"),
            _first("ticket_issued", E.c.detail).label("origin"),
            _first("ticket_called", at).label("first_call"),
            _first("ticket_started", at).label("started"),
            _first("ticket_completed", at).label("completed"),
            func.min(case((E.c.kind.in_(finish), at))).label("finished"),
            _any("ticket_no_show").label("no_show"),
            _any("ticket_transferred").label("transferred"),
            func.max(case((E.c.kind.in_(finish), E.c.window))).label("window"),
            func.max(case((E.c.kind.in_(finish), E.c.clerk))).label("clerk"),
        )
        .where(scope.where(*TICKET_KINDS))
        .group_by(E.c.subject)
    )
    return list(conn.execute(query))


def kind_counts(conn: Connection, scope: Scope, kinds: tuple[str, ...], *by: str) -> list[Any]:
    """Events of ``kinds`` counted by kind and the given columns (e.g. ``"kiosk", "detail"``)."""
    columns = [E.c.kind, *(E.c[name] for name in by)]
    query = select(*columns, func.count().label("n")).where(scope.where(*kinds)).group_by(*columns)
    return list(conn.execute(query))


def event_rows(conn: Connection, scope: Scope, kinds: tuple[str, ...], *columns: str) -> list[Any]:
    """The events of ``kinds`` with their epoch time ``at_s`` and the named columns, in time order."""
    query = (select(epoch(E.c.at).label("at_s"), E.c.kind, *(E.c[name] for name in columns))
             .where(scope.where(*kinds)).order_by(E.c.at, E.c.id))
    return list(conn.execute(query))
