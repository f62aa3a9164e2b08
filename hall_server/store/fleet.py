"""The kiosk fleet as the heartbeats left it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, select

from hall_server.store import models as m


class KioskState(NamedTuple):
    """A kiosk as its last heartbeat left it (all None before the first)."""

    name: str
    site: str
    last_seen: datetime | None
    app_version: str | None
    uptime_s: int | None
    devices: dict[str, Any] | None
    screen: str | None


def kiosks(conn: Connection, site: str | None = None) -> list[KioskState]:
    t = m.kiosks
    query = select(t.c.name, t.c.site, t.c.last_seen, t.c.app_version, t.c.uptime_s, t.c.devices, t.c.screen)
    if site is not None:
        query = query.where(t.c.site == site)
    return [KioskState(*row) for row in conn.execute(query.order_by(t.c.site, t.c.name))]


def devices_of(conn: Connection, kiosk: str) -> dict[str, Any]:
    """The device states of a kiosk's last heartbeat (empty before the first)."""
    row = conn.execute(select(m.kiosks.c.devices).where(m.kiosks.c.name == kiosk)).first()
    return dict(row.devices or {}) if row is not None else {}
