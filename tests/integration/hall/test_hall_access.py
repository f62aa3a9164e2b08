"""Revoking kiosk tokens, disabling accounts, changing passwords, signing out: access ends at once,
live signaling sockets included; kiosks' last use is kept without a write per request."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from hall_server.demo import DEMO_PASSWORD
from hall_server.store import access, identities
from hall_server.store.database import Database

from .conftest import Hall
from .test_hall_cli import run

pytestmark = pytest.mark.db
NOW = datetime(2026, 12, 6, 6, 0, tzinfo=UTC)


def _ws(hall: Hall, path: str) -> str:
    return hall.url.replace("http://", "ws://") + path


async def _open(url: str, token: str) -> websockets.ClientConnection:
    ws = await websockets.connect(url, open_timeout=10, ping_interval=None)
    await ws.send(json.dumps({"type": "auth", "token": token}))
    async with asyncio.timeout(5):
        while json.loads(await ws.recv())["type"] != "welcome":
            pass
    return ws


async def _closed_within(ws: websockets.ClientConnection, seconds: float) -> str:
    started = time.monotonic()
    with pytest.raises(ConnectionClosed):
        async with asyncio.timeout(seconds):
            while True:
                await ws.recv()
    assert time.monotonic() - started < seconds
    return ws.close_reason or ""


async def test_a_revoked_kiosk_loses_its_socket_and_its_token_within_a_second(hall: Hall) -> None:
    ws = await _open(_ws(hall, "/ws/assist/kiosk"), hall.kiosk_token)
    assert hall.kiosk().get("/services").status_code == 200
    with hall.db.write() as conn:
        access.revoke_kiosk(conn, "kiosk-01", NOW)
    assert await _closed_within(ws, 1.0) == "token_revoked"
    reply = hall.kiosk().get("/services")
    assert reply.status_code == 401 and reply.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("change", ["disable", "password"])
async def test_a_disabled_or_repassworded_agent_loses_socket_and_session(hall: Hall, change: str) -> None:
    token = hall.staff_token("agent1")
    ws = await _open(_ws(hall, "/ws/assist/staff"), token)
    with hall.db.write() as conn:
        if change == "disable":
            access.disable_staff(conn, "agent1", NOW)
        else:
            access.set_password(conn, "agent1", "a-new-password", NOW)
    assert await _closed_within(ws, 1.0) == "account_changed"
    assert hall.client(token).get("/assist/status").status_code == 401
    login = hall.client().post("/auth/login", json={"username": "agent1", "password": DEMO_PASSWORD})
    assert login.status_code == 401
    if change == "password":
        again = hall.client().post("/auth/login", json={"username": "agent1", "password": "a-new-password"})
        assert again.status_code == 200


async def test_a_signed_out_agent_loses_the_socket_at_once(hall: Hall) -> None:
    token = hall.staff_token("agent1")
    ws = await _open(_ws(hall, "/ws/assist/staff"), token)
    assert hall.client(token).post("/auth/logout").status_code == 200
    assert await _closed_within(ws, 1.0) == "signed_out"
    assert hall.client(token).get("/assist/status").status_code == 401


def test_kiosk_use_is_written_at_most_once_a_minute(hall: Hall) -> None:
    watch = hall.app.state.hall.access
    for _ in range(5):
        assert hall.kiosk().get("/services").status_code == 200
    assert watch.flush_uses() in (0, 1)
    assert hall.kiosk().get("/services").status_code == 200
    assert watch.flush_uses() == 0  # used again, but written less than a minute ago
    with hall.db.read() as conn:
        listed = {k.name: k for k in access.list_kiosks(conn)}
    assert listed["kiosk-01"].last_used_at is not None


def test_cli_lists_rotates_and_revokes_kiosks(db_url: str, tmp_path: Path) -> None:
    token = run("kiosk", "add", "kiosk-09", "--site", "HQ", db=db_url, data_dir=tmp_path).stdout.split()[-1]
    listing = run("kiosk", "list", db=db_url, data_dir=tmp_path)
    assert listing.returncode == 0 and "kiosk-09\tHQ\t" in listing.stdout and token not in listing.stdout
    rotated = run("kiosk", "rotate", "kiosk-09", db=db_url, data_dir=tmp_path)
    assert rotated.returncode == 0, rotated.stderr
    new_token = rotated.stdout.strip().splitlines()[-1]
    from hall_server.store.database import Database

    db = Database(db_url)
    try:
        with db.read() as conn:
            assert identities.kiosk_for_token(conn, token) is None
            assert identities.kiosk_for_token(conn, new_token) is not None
        assert run("kiosk", "revoke", "kiosk-09", db=db_url, data_dir=tmp_path).returncode == 0
        with db.read() as conn:
            assert identities.kiosk_for_token(conn, new_token) is None
            listed = {k.name: k for k in access.list_kiosks(conn)}
            assert listed["kiosk-09"].revoked_at is not None
    finally:
        db.dispose()
    unknown = run("kiosk", "revoke", "nobody", db=db_url, data_dir=tmp_path)
    assert unknown.returncode == 2 and "unknown_kiosk" in unknown.stderr


def test_cli_disables_enables_and_sets_passwords(db_url: str, tmp_path: Path) -> None:
    assert run("staff", "add", "clerk1", "--role", "counter", "--password-stdin", db=db_url,
               stdin="first-pass\n", data_dir=tmp_path).returncode == 0
    from hall_server.store.database import Database

    db = Database(db_url)

    def login(password: str) -> bool:
        with db.write() as conn:
            return identities.login(conn, "clerk1", password, NOW, timedelta(hours=1)) is not None

    try:
        assert login("first-pass")
        assert run("staff", "disable", "clerk1", db=db_url, data_dir=tmp_path).returncode == 0
        assert not login("first-pass")
        assert run("staff", "enable", "clerk1", db=db_url, data_dir=tmp_path).returncode == 0
        assert login("first-pass")
        changed = run("staff", "password", "clerk1", "--password-stdin", db=db_url, stdin="second-pass\n",
                      data_dir=tmp_path)
        assert changed.returncode == 0, changed.stderr
        assert not login("first-pass") and login("second-pass")
        weak = run("staff", "password", "clerk1", "--password-stdin", db=db_url, stdin="short\n",
                   data_dir=tmp_path)
        assert weak.returncode == 2 and "weak_password" in weak.stderr
    finally:
        db.dispose()


def test_unknown_and_disabled_usernames_cost_a_password_check_like_known_ones(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = identities.verify_password

    def counting(password: str, stored: str) -> bool:
        checked.append(stored.split("$")[0])
        return real(password, stored)

    monkeypatch.setattr(identities, "verify_password", counting)
    with database.write() as conn:
        identities.add_staff(conn, "clerk2", "counter", "right-pass", NOW)
        access.disable_staff(conn, "clerk2", NOW)
        for username in ("nobody", "clerk2"):
            assert identities.login(conn, username, "right-pass", NOW, timedelta(hours=1)) is None
    assert checked == ["scrypt", "scrypt"]


def test_serve_refuses_a_trusted_proxy_that_is_not_a_cidr(db_url: str, tmp_path: Path) -> None:
    result = run("serve", "--port", "0", "--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "nonsense",
                 db=db_url, data_dir=tmp_path)
    assert result.returncode == 2 and "--trusted-proxy: not a CIDR: 'nonsense'" in result.stderr
