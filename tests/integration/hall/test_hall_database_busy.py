"""A database locked by another process answers 503 database_busy with Retry-After, not 500; reads
go on meanwhile (WAL), and a waiting write does not hold up reads."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from citizen_id.id_number import make_id_number
from hall_server.app import create_app
from hall_server.clock import SettableClock
from hall_server.config import Settings
from hall_server.demo import seed_demo
from hall_server.store import schema
from hall_server.store.database import Database

from .conftest import ServerThread

pytestmark = pytest.mark.db
# Long enough that a read done under the lock returns while the write still waits, on a loaded machine too.
BUSY_S = 2.0


@pytest.fixture
def busy_hall(tmp_path: Path, clock: SettableClock) -> Iterator[tuple[str, str, Path]]:
    path = tmp_path / "hall.sqlite3"
    db = Database(f"sqlite:///{path}", busy_timeout_s=BUSY_S)
    schema.upgrade(db)
    token = seed_demo(db, clock.now(), tmp_path)
    app = create_app(Settings(db_url=db.url, data_dir=tmp_path), clock=clock, db=db)
    with ServerThread(app) as url:
        yield url + "/api/v1", token, path
    db.dispose()


def test_a_locked_database_answers_503_and_reads_go_on(busy_hall: tuple[str, str, Path]) -> None:
    url, token, path = busy_hall
    auth = {"Authorization": f"Bearer {token}"}
    booking = httpx.post(f"{url}/bookings", headers=auth, json={
        "service": "SB-001", "slot_id": "HQ:SB-001:2026-11-26T09:00", "channel": "kiosk",
        "citizen": {"id_number": make_id_number(sequence=101), "name": "张三"}}).json()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        slow_write: list[httpx.Response] = []
        writer = threading.Thread(target=lambda: slow_write.append(
            httpx.post(f"{url}/tickets", json={"service": "SB-001"}, headers=auth, timeout=30)))
        writer.start()
        read = httpx.get(f"{url}/bookings/{booking['id']}", headers=auth, timeout=30)
        # Answered under the other process's lock, and before the waiting write gave up: neither held it.
        assert read.status_code == 200
        assert not slow_write
        writer.join(timeout=30)
        [reply] = slow_write
        assert reply.status_code == 503, reply.text
        assert reply.json()["error"]["code"] == "database_busy"
        assert reply.headers["retry-after"] == "1"
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert httpx.post(f"{url}/tickets", json={"service": "SB-001"}, headers=auth).status_code == 201


def test_every_connection_taken_answers_503_and_the_hall_goes_on(
    tmp_path: Path, clock: SettableClock
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'hall.sqlite3'}", pool_size=1, pool_timeout_s=0.5)
    schema.upgrade(db)
    token = seed_demo(db, clock.now(), tmp_path)
    app = create_app(Settings(db_url=db.url, data_dir=tmp_path), clock=clock, db=db)
    auth = {"Authorization": f"Bearer {token}"}
    with ServerThread(app) as url:
        held = [db.engine.connect() for _ in range(3)]  # the pool's one and its two overflow connections
        try:
            reply = httpx.post(f"{url}/api/v1/tickets", json={"service": "SB-001"}, headers=auth, timeout=30)
            assert reply.status_code == 503, reply.text
            assert reply.json()["error"]["code"] == "database_busy"
            assert reply.headers["retry-after"] == "1"
        finally:
            for conn in held:
                conn.close()
        again = httpx.post(f"{url}/api/v1/tickets", json={"service": "SB-001"}, headers=auth, timeout=30)
        assert again.status_code == 201, again.text
    db.dispose()
