"""Registering floor devices (rating pads, window displays) at a site and window, and revoking them."""

from __future__ import annotations

from datetime import datetime

from hall_server.store import devices, identities
from hall_server.store.database import Database
from hall_server.store.devices import DeviceListing
from hall_server.store.identities import IdentityError
from hall_server.usecases.sites import site_profile


def add_device(db: Database, name: str, site: str, kind: str, window: str | None, now: datetime) -> str:
    """A new device's token; IdentityError ``unknown_site``, ``unknown_window``, ``device_exists``..."""
    try:
        profile = site_profile(site)
    except KeyError as exc:
        raise IdentityError("unknown_site", f"no site {site!r} is defined") from exc
    if window is not None and profile.window(window) is None:
        raise IdentityError("unknown_window", f"site {site} has no window {window!r}")
    with db.write() as conn:
        identities.ensure_site(conn, site, profile.name("zh-Hans"), profile.timezone_name, now)
        return devices.add_device(conn, name, site, kind, window, now)


def revoke_device(db: Database, name: str, now: datetime) -> None:
    """The device's token stops working; a running hall ends its streams within a second."""
    with db.write() as conn:
        devices.revoke_device(conn, name, now)


def list_devices(db: Database) -> list[DeviceListing]:
    with db.read() as conn:
        return devices.list_devices(conn)
