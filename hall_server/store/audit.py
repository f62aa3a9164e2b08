"""The audit logs: record queries (who asked for which kind, about a masked ID number, and when), a
clerk's out-of-the-ordinary acts at a window (a number called out of turn, a pause, with the reason), and
the administration's changes (who changed which service, window, day, account or token, and how)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, NamedTuple

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


class AdminAuditEntry(NamedTuple):
    """A row of ``admin_audit``: a change made in the management web's administration."""

    id: int
    at: datetime
    actor: str
    area: str
    action: str
    target: str
    detail: dict[str, Any]


def log_admin(conn: Connection, at: datetime, actor: str, area: str, action: str, target: str,
              detail: dict[str, Any]) -> None:
    conn.execute(insert(m.admin_audit).values(at=at, actor=actor, area=area, action=action, target=target,
                                              detail=json.dumps(detail, ensure_ascii=False, sort_keys=True)))


def admin_recent(conn: Connection, limit: int, area: str | None = None) -> list[AdminAuditEntry]:
    t = m.admin_audit
    query = select(t).order_by(t.c.id.desc()).limit(limit)
    if area is not None:
        query = query.where(t.c.area == area)
    rows = conn.execute(query)
    return [AdminAuditEntry(**{**row._mapping, "detail": json.loads(row.detail)}) for row in rows]
