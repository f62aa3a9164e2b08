"""The audit log of record queries: who asked for which kind, about a masked ID number, and when."""

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
