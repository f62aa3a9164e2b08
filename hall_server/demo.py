"""Deterministic demo data: site HQ, staff counter1/agent1/tech1/admin and kiosk kiosk-01 (idempotent)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update

from hall_server.store import identities
from hall_server.store import models as m
from hall_server.store.credentials import new_token, token_digest
from hall_server.store.database import Database
from hall_server.store.private_files import write_private_text

DEMO_PASSWORD = "demo1234"
DEMO_SITE = "HQ"
DEMO_KIOSK_NAME = "kiosk-01"
DEMO_STAFF = (
    ("counter1", "counter", "窗口一号"),
    ("agent1", "agent", "云坐席一号"),
    ("tech1", "technician", "运维一号"),
    ("admin", "admin", "管理员"),
)


def seed_demo(db: Database, now: datetime, data_dir: Path) -> str:
    """Seed what is missing and return kiosk-01's token (also written to ``<data dir>/demo-kiosk-token``)."""
    from hall_server.usecases.sites import site_profile

    profile = site_profile(DEMO_SITE)
    token_file = data_dir / "demo-kiosk-token"
    with db.write() as conn:
        identities.ensure_site(conn, DEMO_SITE, profile.name("zh-Hans"), profile.timezone_name, now)
        for username, role, display in DEMO_STAFF:
            if not identities.staff_exists(conn, username):
                identities.add_staff(conn, username, role, DEMO_PASSWORD, now, display_name=display)
        kept = token_file.read_text("utf-8").strip() if token_file.is_file() else ""
        row = conn.execute(select(m.kiosks.c.token_hash).where(m.kiosks.c.name == DEMO_KIOSK_NAME)).first()
        if row is None:
            token = identities.add_kiosk(conn, DEMO_KIOSK_NAME, DEMO_SITE, now, token=kept or None)
        elif kept and row.token_hash == token_digest(kept):
            token = kept
        else:
            # The stored digest cannot give the old token back, so a lost token file means a new token.
            token = new_token()
            conn.execute(update(m.kiosks).where(m.kiosks.c.name == DEMO_KIOSK_NAME)
                         .values(token_hash=token_digest(token)))
    write_private_text(token_file, token + "\n")
    return token
