"""The hall's database and token files are readable by their owner only (0600; new directories 0700)."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

from hall_server.demo import seed_demo
from hall_server.store import schema
from hall_server.store.database import Database


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_database_wal_and_token_files_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask would leave them world-readable
    try:
        data = tmp_path / "hall" / "data"
        db = Database(f"sqlite:///{data / 'hall.sqlite3'}")
        schema.upgrade(db)
        token = seed_demo(db, datetime(2026, 11, 25, 2, tzinfo=UTC), data)
        with db.read() as conn:  # keeps the WAL files in place while they are looked at
            conn.exec_driver_sql("SELECT 1")
            files = [p for p in data.iterdir() if p.is_file()]
            assert {p.name for p in files} >= {"hall.sqlite3", "hall.sqlite3-wal", "demo-kiosk-token"}
            assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
        db.dispose()
    finally:
        os.umask(old)
    assert mode(tmp_path / "hall") == 0o700 and mode(data) == 0o700
    assert (data / "demo-kiosk-token").read_text().strip() == token


def test_an_existing_database_file_is_made_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "hall.sqlite3"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    Database(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o600
