"""Deterministic demo data: sites HQ and ST01, staff counter1/agent1/tech1/manager1/admin, kiosks kiosk-01
(HQ) and station-01 (ST01), the rating pad of window 15 and a display (fixed tokens), and a demo signing
identity for certificates (idempotent)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, select, update

from hall_server.documents.demo_ca import ensure_demo_identity
from hall_server.store import devices, identities
from hall_server.store import models as m
from hall_server.store.credentials import hash_password, new_token, token_digest
from hall_server.store.database import Database
from hall_server.store.private_files import write_private_text

DEMO_PASSWORD = "demo1234"
DEMO_SITE = "HQ"
DEMO_KIOSK_NAME = "kiosk-01"
DEMO_STATION = "ST01"
DEMO_STATION_KIOSK_NAME = "station-01"
DEMO_STAFF = (
    ("counter1", "counter", "窗口一号"),
    ("agent1", "agent", "云坐席一号"),
    ("tech1", "technician", "运维一号"),
    ("manager1", "manager", "大厅主任"),
    ("admin", "admin", "管理员"),
)


@cache
def demo_password_hash() -> str:
    """One scrypt hash of the published demo password, made once a process and shared by the demo's
    accounts: a salt of their own would hide nothing, and a seed (each test's hall) would cost five."""
    return hash_password(DEMO_PASSWORD)


def token_file(data_dir: Path, site: str) -> Path:
    """Where the demo keeps the token of its kiosk at ``site``."""
    return data_dir / ("demo-kiosk-token" if site == DEMO_SITE else f"demo-kiosk-token-{site}")


def _seed_kiosk(conn: Connection, name: str, site: str, path: Path, now: datetime) -> str:
    kept = path.read_text("utf-8").strip() if path.is_file() else ""
    row = conn.execute(select(m.kiosks.c.token_hash).where(m.kiosks.c.name == name)).first()
    if row is None:
        return identities.add_kiosk(conn, name, site, now, token=kept or None)
    if kept and row.token_hash == token_digest(kept):
        return kept
    # The stored digest cannot give the old token back, so a lost token file means a new token.
    token = new_token()
    conn.execute(update(m.kiosks).where(m.kiosks.c.name == name).values(token_hash=token_digest(token)))
    return token


def seed_demo(db: Database, now: datetime, data_dir: Path) -> str:
    """Seed what is missing and return kiosk-01's token (also written to ``<data dir>/demo-kiosk-token``;
    station-01's to ``<data dir>/demo-kiosk-token-ST01``)."""
    from hall_server.usecases.sites import site_profile

    kiosks = ((DEMO_KIOSK_NAME, DEMO_SITE), (DEMO_STATION_KIOSK_NAME, DEMO_STATION))
    tokens: dict[str, str] = {}
    with db.write() as conn:
        for site in (DEMO_SITE, DEMO_STATION):
            profile = site_profile(site)
            identities.ensure_site(conn, site, profile.name("zh-Hans"), profile.timezone_name, now)
        for username, role, display in DEMO_STAFF:
            if not identities.staff_exists(conn, username):
                identities.add_staff(conn, username, role, DEMO_PASSWORD, now, display_name=display,
                                     password_hash=demo_password_hash())
        for name, site in kiosks:
            tokens[site] = _seed_kiosk(conn, name, site, token_file(data_dir, site), now)
        for device in devices.DEMO_DEVICES:
            if not devices.device_token_is(conn, device.name, device.token):
                try:
                    devices.add_device(conn, device.name, device.site, device.kind, device.window, now,
                                       token=device.token)
                except identities.IdentityError:  # there, with another token: the demo's is printed
                    devices.set_device_token(conn, device.name, device.token)
    data_dir.mkdir(parents=True, exist_ok=True)
    for site, token in tokens.items():
        write_private_text(token_file(data_dir, site), token + "\n")
    ensure_demo_identity(data_dir, site_profile(DEMO_SITE).name("zh-Hans"))
    return tokens[DEMO_SITE]


def station_token(data_dir: Path) -> str:
    """station-01's token as the last ``seed_demo`` left it."""
    return token_file(data_dir, DEMO_STATION).read_text("utf-8").strip()
