"""Administration of the tokens of kiosks and floor devices (rating pads, displays): list, add, revoke and
rotate. A new token is answered once, never stored (only its digest) and never written to the audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection

from hall_server.state.hall_state import HallState
from hall_server.store import access, devices, identities
from hall_server.store.identities import IdentityError
from hall_server.usecases.admin_change import audited
from hall_server.usecases.caller import Caller
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import site_profile

Holder = Literal["kiosk", "device"]
_NOT_FOUND = {"unknown_kiosk", "unknown_device"}


def _at(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def tokens_listing(hall: HallState) -> dict[str, Any]:
    with hall.db.read() as conn:
        kiosks = access.list_kiosks(conn)
        floor = devices.list_devices(conn)
    return {
        "kiosks": [{"name": k.name, "site": k.site, "created_at": k.created_at.isoformat(),
                    "last_used_at": _at(k.last_used_at), "revoked": k.revoked_at is not None}
                   for k in kiosks],
        "devices": [{"name": d.name, "site": d.site, "kind": d.kind, "window": d.window,
                     "created_at": d.created_at.isoformat(), "revoked": d.revoked_at is not None}
                    for d in floor],
        "device_kinds": list(devices.DEVICE_KINDS),
    }


def _guarded(work: Callable[[Connection], tuple[str | None, dict[str, Any]]]
             ) -> Callable[[Connection], tuple[str | None, dict[str, Any]]]:
    def change(conn: Connection) -> tuple[str | None, dict[str, Any]]:
        try:
            return work(conn)
        except IdentityError as exc:
            raise Refusal(exc.code, str(exc), status_hint=404 if exc.code in _NOT_FOUND else None) from exc
    return change


def _site_known(conn: Connection, site: str, now: datetime) -> None:
    try:
        profile = site_profile(site)
    except KeyError as exc:
        raise Refusal("unknown_site", f"no site {site!r} is defined", status_hint=422) from exc
    identities.ensure_site(conn, site, profile.name("zh-Hans"), profile.timezone_name, now)


def add_kiosk(hall: HallState, caller: Caller, name: str, site: str) -> dict[str, Any]:
    """Register a kiosk; its token in the answer, once. Refusal ``invalid_name``, ``unknown_site``,
    ``kiosk_exists``."""
    def work(conn: Connection) -> tuple[str | None, dict[str, Any]]:
        now = hall.now()
        _site_known(conn, site, now)
        return identities.add_kiosk(conn, name, site, now), {"site": site}

    token = audited(hall, caller, "tokens", "add_kiosk", name, _guarded(work))
    return {"name": name, "site": site, "token": token}


def add_device(hall: HallState, caller: Caller, name: str, site: str, kind: str,
               window: str | None) -> dict[str, Any]:
    """Register a rating pad or display; its token in the answer, once. Refusal ``invalid_name``,
    ``unknown_site``, ``unknown_window``, ``invalid_device_kind``, ``device_exists``."""
    def work(conn: Connection) -> tuple[str | None, dict[str, Any]]:
        now = hall.now()
        _site_known(conn, site, now)
        if window is not None and site_profile(site).window(window) is None:
            raise Refusal("unknown_window", f"site {site} has no window {window!r}", status_hint=422)
        token = devices.add_device(conn, name, site, kind, window, now)
        return token, {"site": site, "kind": kind, "window": window}

    token = audited(hall, caller, "tokens", "add_device", name, _guarded(work))
    return {"name": name, "site": site, "kind": kind, "window": window, "token": token}


def _lost(hall: HallState, holder: Holder, name: str) -> None:
    """Forget the old token at once and close its connections (other processes: within their poll)."""
    if holder == "kiosk":
        hall.access_lost(("kiosk", name), "token_revoked")
    else:
        hall.devices.lost(name)


def revoke(hall: HallState, caller: Caller, holder: Holder, name: str) -> dict[str, Any]:
    """The token stops working; a running hall closes the holder's connections. Refusal ``unknown_kiosk``
    or ``unknown_device`` (404)."""
    def work(conn: Connection) -> tuple[str | None, dict[str, Any]]:
        if holder == "kiosk":
            access.revoke_kiosk(conn, name, hall.now())
        else:
            devices.revoke_device(conn, name, hall.now())
        return None, {}

    audited(hall, caller, "tokens", f"revoke_{holder}", name, _guarded(work))
    _lost(hall, holder, name)
    return {"name": name, "revoked": True}


def rotate(hall: HallState, caller: Caller, holder: Holder, name: str) -> dict[str, Any]:
    """A new token (also for a revoked holder), answered once; the old one stops working."""
    def work(conn: Connection) -> tuple[str | None, dict[str, Any]]:
        if holder == "kiosk":
            return access.rotate_kiosk(conn, name, hall.now()), {}
        return devices.rotate_device(conn, name, hall.now()), {}

    token = audited(hall, caller, "tokens", f"rotate_{holder}", name, _guarded(work))
    _lost(hall, holder, name)
    return {"name": name, "token": token}
