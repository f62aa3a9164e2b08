"""Aggregations over the event log (SQLAlchemy Core, the same SQL on SQLite and PostgreSQL).

Waits and services are on the events themselves (``span_s``, written with the transition), so a report
groups one kind of event by its dimensions and duration: Python sees a histogram, never a row per ticket.
Instants as numbers, where a report needs them (window shifts, calls): ``epoch(column)`` compiles to
``julianday`` arithmetic on SQLite and ``extract(epoch …)`` on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, Float, and_, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from hall_server.store import models as m

E = m.events


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


def span_counts(conn: Connection, scope: Scope, kinds: tuple[str, ...], *by: str) -> list[Any]:
    """Events of ``kinds`` counted by the given columns and their ``span_s`` (a histogram per group)."""
    columns = [E.c[name] for name in by]
    query = (select(*columns, E.c.span_s, func.count().label("n"))
             .where(scope.where(*kinds), E.c.span_s.is_not(None)).group_by(*columns, E.c.span_s))
    return list(conn.execute(query).all())


def span_sums(conn: Connection, scope: Scope, kinds: tuple[str, ...], *by: str) -> list[Any]:
    """The sum of ``span_s`` of events of ``kinds`` by the given columns (``total``)."""
    columns = [E.c[name] for name in by]
    query = (select(*columns, func.sum(E.c.span_s).label("total"))
             .where(scope.where(*kinds), E.c.span_s.is_not(None)).group_by(*columns))
    return list(conn.execute(query).all())


def kind_counts(conn: Connection, scope: Scope, kinds: tuple[str, ...], *by: str) -> list[Any]:
    """Events of ``kinds`` counted by kind and the given columns (e.g. ``"kiosk", "detail"``)."""
    columns = [E.c.kind, *(E.c[name] for name in by)]
    query = select(*columns, func.count().label("n")).where(scope.where(*kinds)).group_by(*columns)
    return list(conn.execute(query).all())


def event_rows(conn: Connection, scope: Scope, kinds: tuple[str, ...], *columns: str) -> list[Any]:
    """The events of ``kinds`` with their epoch time ``at_s`` and the named columns, in time order."""
    query = (select(epoch(E.c.at).label("at_s"), E.c.kind, *(E.c[name] for name in columns))
             .where(scope.where(*kinds)).order_by(E.c.at, E.c.id))
    return list(conn.execute(query).all())
