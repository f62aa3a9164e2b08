"""Kiosk heartbeats (``POST /kiosks/heartbeat``) and the fleet view for technicians (``GET /fleet``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from hall_server.api.auth import KIOSK_ONLY, TECHNICIAN, Caller, hall_of
from hall_server.api.errors import ApiError
from hall_server.api.fields import SITE_PATTERN, Text
from hall_server.api.languages import site_local
from hall_server.store import fleet, identities

router = APIRouter(tags=["fleet"])


class DeviceState(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: Literal["ok", "degraded", "offline"]
    reason: Text | None = Field(default=None, max_length=80)


class HeartbeatBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    app_version: Text = Field(min_length=1, max_length=40)
    uptime_s: int = Field(ge=0, le=10**9)
    devices: dict[Text, DeviceState] = Field(default_factory=dict, max_length=16)
    screen: Text | None = Field(default=None, max_length=40)


@router.post("/kiosks/heartbeat")
def heartbeat(body: HeartbeatBody, request: Request, caller: Caller = Depends(KIOSK_ONLY)) -> dict[str, Any]:
    """A kiosk's periodic sign of life with its device states (every 30 s)."""
    if caller.kiosk is None:
        raise ApiError(403, "forbidden", "only a kiosk sends heartbeats")
    for name in body.devices:
        if not name or len(name) > 32:
            raise ApiError(422, "invalid_request", "device names are 1-32 characters")
    hall = hall_of(request)
    now = hall.now()
    devices = {name: state.model_dump() for name, state in body.devices.items()}
    with hall.db.write() as conn:
        identities.record_heartbeat(conn, caller.kiosk.name, now, body.app_version, body.uptime_s, devices,
                                    body.screen)
    return {"ok": True, "server_time": site_local(hall, caller.site, now).isoformat()}


@router.get("/fleet")
def fleet_view(request: Request, site: str | None = Query(None, pattern=SITE_PATTERN),
               caller: Caller = Depends(TECHNICIAN)) -> dict[str, Any]:
    """Every kiosk with its last heartbeat; silent for longer than the limit (90 s) means offline."""
    hall = hall_of(request)
    now = hall.now()
    limit = timedelta(seconds=hall.settings.kiosk_offline_after_s)
    with hall.db.read() as conn:
        rows = fleet.kiosks(conn, site)
    kiosks = []
    for row in rows:
        seen = row["last_seen"]
        kiosks.append({
            "name": row["name"], "site": row["site"],
            "online": seen is not None and now - seen <= limit,
            "last_seen": site_local(hall, row["site"], seen).isoformat() if seen else None,
            "app_version": row["app_version"], "uptime_s": row["uptime_s"],
            "devices": row["devices"] or {}, "screen": row["screen"],
        })
    return {"kiosks": kiosks}
