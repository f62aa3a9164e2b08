"""The audit logs: record queries (who asked for which kind, about a masked ID number, and when) and a
clerk's out-of-the-ordinary acts at a window (a number called out of turn, a pause, with the reason)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, insert, select

from hall_server.store import models as m


class AuditEntry(NamedTuple):
    """A row of ``record_audit``."""

    id: int
    at: datetime
    caller: str
    site: str | None
    kind: str
    id_number_masked: str
    rows: int


def log_query(conn: Connection, at: datetime, caller: str, site: str | None, kind: str,
              id_number_masked: str, rows: int) -> None:
    conn.execute(insert(m.record_audit).values(at=at, caller=caller, site=site, kind=kind,
                                               id_number_masked=id_number_masked, rows=rows))


def recent(conn: Connection, limit: int) -> list[AuditEntry]:
    t = m.record_audit
    result = conn.execute(select(t).order_by(t.c.id.desc()).limit(limit))
    return [AuditEntry(**row._mapping) for row in result]


class CounterAuditEntry(NamedTuple):
    """A row of ``counter_audit``."""

    id: int
    at: datetime
    clerk: str
    site: str
    window: str
    action: str
    ticket_id: str | None
    number: str | None
    reason: str | None


def log_counter(conn: Connection, at: datetime, clerk: str, site: str, window: str, action: str, *,
                ticket_id: str | None = None, number: str | None = None, reason: str | None = None) -> None:
    conn.execute(insert(m.counter_audit).values(at=at, clerk=clerk, site=site, window=window, action=action,
                                                ticket_id=ticket_id, number=number, reason=reason))


def counter_recent(conn: Connection, site: str, limit: int) -> list[CounterAuditEntry]:
    t = m.counter_audit
    result = conn.execute(select(t).where(t.c.site == site).order_by(t.c.id.desc()).limit(limit))
    return [CounterAuditEntry(**row._mapping) for row in result]
