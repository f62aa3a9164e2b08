"""The administration's overrides over the shipped catalogue, window plans and calendar days."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, func, insert, select, update

from hall_server.store import models as m

OverrideKind = Literal["service", "window", "day"]


def put(conn: Connection, kind: OverrideKind, key: str, body: dict[str, Any] | None, now: datetime,
        by: str) -> None:
    """Set (or with ``body`` None withdraw) the override of one thing, with a revision above every other."""
    t = m.admin_overrides
    revision = (conn.execute(select(func.max(t.c.revision))).scalar() or 0) + 1
    text = None if body is None else json.dumps(body, ensure_ascii=False, sort_keys=True)
    values = {"body": text, "revision": revision, "changed_at": now, "changed_by": by}
    done = conn.execute(update(t).where(t.c.kind == kind, t.c.key == key).values(**values))
    if done.rowcount == 0:
        conn.execute(insert(t).values(kind=kind, key=key, **values))


def current(conn: Connection, kind: OverrideKind) -> dict[str, dict[str, Any]]:
    """The overrides in force of one kind, by key."""
    t = m.admin_overrides
    rows = conn.execute(select(t.c.key, t.c.body).where(t.c.kind == kind, t.c.body.is_not(None)))
    return {row.key: json.loads(row.body) for row in rows}


def mark(conn: Connection) -> int:
    """A number that changes with every committed write (each raises one row's revision)."""
    return int(conn.execute(select(func.coalesce(func.sum(m.admin_overrides.c.revision), 0))).scalar() or 0)
