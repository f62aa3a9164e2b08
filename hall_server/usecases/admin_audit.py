"""The administration's audit as the management web lists it: who changed what, when, newest first."""

from __future__ import annotations

from typing import Any

from hall_server.state.hall_state import HallState
from hall_server.store import audit
from hall_server.usecases.sites import site_local


def audit_listing(hall: HallState, limit: int, area: str | None) -> dict[str, Any]:
    with hall.db.read() as conn:
        entries = audit.admin_recent(conn, limit, area)
    return {"entries": [{"id": e.id, "at": site_local(None, e.at).isoformat(), "actor": e.actor,
                         "area": e.area, "action": e.action, "target": e.target, "detail": e.detail}
                        for e in entries]}
