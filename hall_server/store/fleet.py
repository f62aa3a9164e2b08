"""The kiosk fleet as the heartbeats left it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from hall_server.store import models as m


def kiosks(conn: Connection, site: str | None = None) -> list[dict[str, Any]]:
    t = m.kiosks
    query = select(t.c.name, t.c.site, t.c.last_seen, t.c.app_version, t.c.uptime_s, t.c.devices, t.c.screen)
    if site is not None:
        query = query.where(t.c.site == site)
    return [dict(row._mapping) for row in conn.execute(query.order_by(t.c.site, t.c.name))]
