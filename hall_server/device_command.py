"""``hall-server device``: floor devices (a window's rating pad, a display): add prints the token as its last
line, list shows them without tokens, revoke stops a token (DESIGN §4.6)."""

from __future__ import annotations

import argparse
from typing import Any

from hall_server.clock import SystemClock
from hall_server.config import Settings
from hall_server.store import schema
from hall_server.store.database import Database
from hall_server.store.devices import DEVICE_KINDS
from hall_server.store.identities import IdentityError
from hall_server.usecases import devices


class DeviceUsageError(ValueError):
    """A wrong argument of ``hall-server device``; one line for the operator."""


def add_device_parser(sub: Any) -> None:
    device = sub.add_parser("device", help="rating pads and displays").add_subparsers(dest="action",
                                                                                     required=True)
    add = device.add_parser("add", help="register a device; prints its token as the last line")
    add.add_argument("name")
    add.add_argument("--site", required=True)
    add.add_argument("--kind", required=True, choices=list(DEVICE_KINDS))
    add.add_argument("--window", metavar="N", help="the window it stands at (a pad: only that window's)")
    add.add_argument("--db", metavar="URL")
    listing = device.add_parser("list", help="devices with their site, kind, window and revocation")
    listing.add_argument("--db", metavar="URL")
    revoke = device.add_parser("revoke", help="stop a device's token from working")
    revoke.add_argument("name")
    revoke.add_argument("--db", metavar="URL")


def _open(url: str | None) -> Database:
    settings = Settings.from_env(url)
    db = Database(settings.db_url, pool_size=settings.db_pool_size, busy_timeout_s=settings.db_busy_timeout_s)
    schema.upgrade(db)
    return db


def run_device(args: argparse.Namespace) -> None:
    db = _open(args.db)
    now = SystemClock().now()
    try:
        if args.action == "add":
            token = devices.add_device(db, args.name, args.site, args.kind, args.window, now)
            where = f" at window {args.window}" if args.window else ""
            print(f"{args.kind} {args.name} registered at site {args.site}{where}; its token:")
            print(token)
        elif args.action == "revoke":
            devices.revoke_device(db, args.name, now)
            print(f"device {args.name} revoked; a running hall ends its streams")
        else:
            print("name\tsite\tkind\twindow\tcreated\trevoked")
            for d in devices.list_devices(db):
                print("\t".join([d.name, d.site, d.kind, d.window or "-",
                                 d.created_at.isoformat(timespec="seconds"),
                                 d.revoked_at.isoformat(timespec="seconds") if d.revoked_at else "-"]))
    except IdentityError as exc:
        raise DeviceUsageError(f"{exc.code}: {exc}") from exc
    finally:
        db.dispose()
