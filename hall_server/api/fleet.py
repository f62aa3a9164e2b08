"""Fleet routes: kiosk heartbeats (``POST /kiosks/heartbeat``) and the technicians' view (``GET /fleet``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from hall_contract import HeartbeatBody, HeartbeatReply, KioskVisitBody, KioskVisitReply
from hall_server.api.auth import KIOSK_ONLY, TECHNICIAN, Caller, hall_of
from hall_server.api.fields import SITE_PATTERN
from hall_server.usecases import fleet

router = APIRouter(tags=["fleet"])


@router.post("/kiosks/heartbeat", response_model=HeartbeatReply)
def heartbeat(body: HeartbeatBody, request: Request, caller: Caller = Depends(KIOSK_ONLY)) -> dict[str, Any]:
    """A kiosk's periodic sign of life with its device states (every 30 s)."""
    devices = {name: state.model_dump() for name, state in body.devices.items()}
    return fleet.heartbeat(hall_of(request), caller, app_version=body.app_version, uptime_s=body.uptime_s,
                           devices=devices, screen=body.screen)


@router.post("/kiosks/visits", response_model=KioskVisitReply)
def kiosk_visit(
    body: KioskVisitBody, request: Request, caller: Caller = Depends(KIOSK_ONLY)
) -> dict[str, Any]:
    """A citizen's visit starting or ending at this kiosk, with the function used (no personal data)."""
    return fleet.kiosk_visit(hall_of(request), caller, visit_id=body.visit_id, event=body.event,
                             function=body.function, completed=body.completed)


@router.get("/fleet")
def fleet_view(request: Request, site: str | None = Query(None, pattern=SITE_PATTERN),
               caller: Caller = Depends(TECHNICIAN)) -> dict[str, Any]:
    """Every kiosk with its last heartbeat; silent for longer than the limit (90 s) means offline."""
    return fleet.fleet_answer(hall_of(request), site)
