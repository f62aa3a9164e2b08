"""The kiosk fleet: heartbeats kiosks send, and what technicians see of them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hall_server.state.hall_state import HallState
from hall_server.store import events, fleet, identities, presence
from hall_server.usecases.caller import Caller
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import site_local


def heartbeat(
    hall: HallState, caller: Caller, *, app_version: str, uptime_s: int, devices: dict[str, dict[str, Any]],
    screen: str | None,
) -> dict[str, Any]:
    """A kiosk's periodic sign of life with its device states (every 30 s)."""
    if caller.kiosk is None:
        raise Refusal("forbidden", "only a kiosk sends heartbeats")
    for name in devices:
        if not name or len(name) > 32:
            raise Refusal("invalid_request", "device names are 1-32 characters")
    now = hall.now()
    with hall.db.write() as conn:
        before = fleet.devices_of(conn, caller.kiosk.name)
        for name, reason in device_faults(before, devices):
            events.append(conn, "device_fault", caller.kiosk.site, now, kiosk=caller.kiosk.name,
                          detail=name[:40], related=reason)
        identities.record_heartbeat(conn, caller.kiosk.name, now, app_version, uptime_s, devices, screen)
    return {"ok": True, "server_time": site_local(caller.site, now).isoformat()}


def device_faults(before: dict[str, Any], after: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """Devices that went wrong since the last heartbeat (or went wrong another way): (device, state or
    reason, e.g. ``paper_out``); a device that stays in the same fault is one fault, not one per beat."""
    faults = []
    for name, state in sorted(after.items()):
        if state.get("state") == "ok":
            continue
        was = before.get(name) or {}
        if (was.get("state"), was.get("reason")) != (state.get("state"), state.get("reason")):
            faults.append((name, str(state.get("reason") or state.get("state"))[:80]))
    return faults


def kiosk_visit(hall: HallState, caller: Caller, *, visit_id: str, event: str, function: str,
                completed: bool | None) -> dict[str, Any]:
    """A citizen's visit at a kiosk starting or ending, with the function used (for the kiosk statistics)."""
    if caller.kiosk is None:
        raise Refusal("forbidden", "only a kiosk reports its visits")
    with hall.db.write() as conn:
        if event == "started":
            events.append(conn, "kiosk_visit_started", caller.kiosk.site, hall.now(), kiosk=caller.kiosk.name,
                          subject=visit_id, detail=function)
        else:
            events.append(conn, "kiosk_visit_ended", caller.kiosk.site, hall.now(), kiosk=caller.kiosk.name,
                          subject=visit_id, detail=function, value=int(bool(completed)))
    return {"ok": True}


def fleet_answer(hall: HallState, site: str | None) -> dict[str, Any]:
    """Every kiosk with its last heartbeat; silent for longer than the limit (90 s) means offline."""
    now = hall.now()
    limit = timedelta(seconds=hall.settings.kiosk_offline_after_s)
    with hall.db.read() as conn:
        rows = fleet.kiosks(conn, site)
        # A flag stays in view for a day, so a technician coming in the next morning still sees it.
        flags = presence.flags(conn, now - timedelta(days=1))
    kiosks = []
    for row in rows:
        seen = row.last_seen
        kiosks.append({
            "name": row.name, "site": row.site,
            "online": seen is not None and now - seen <= limit,
            "last_seen": site_local(row.site, seen).isoformat() if seen else None,
            "app_version": row.app_version, "uptime_s": row.uptime_s,
            "devices": row.devices or {}, "screen": row.screen,
            "flags": [{"code": code, "at": site_local(row.site, at).isoformat()}
                      for code, at in flags.get(row.name, [])],
        })
    return {"kiosks": kiosks}
