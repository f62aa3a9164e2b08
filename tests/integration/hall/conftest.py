"""Hall server fixtures: a fresh database per test (SQLite file, or PostgreSQL from HALL_TEST_DB_URL),
a settable clock, and the app served by a real uvicorn on a free loopback port."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from hall_server.app import create_app
from hall_server.clock import SettableClock
from hall_server.config import Settings
from hall_server.demo import DEMO_PASSWORD, seed_demo
from hall_server.store import schema
from hall_server.store.database import Database

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Wednesday with a regular day and the evening session.
DEFAULT_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database: a SQLite file, or a throw-away PostgreSQL database beside HALL_TEST_DB_URL's."""
    url = os.environ.get("HALL_TEST_DB_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'hall.sqlite3'}"
        return
    base = make_url(url)
    name = f"{base.database}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url, pool_size=10)
    schema.upgrade(db)
    yield db
    db.dispose()


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(DEFAULT_NOW)


class ServerThread:
    """uvicorn serving an app in a background thread on a free loopback port."""

    def __init__(self, app: Any) -> None:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        started = threading.Event()
        while not started.wait(0.01):
            if self.server.started:
                started.set()
            if not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class Hall:
    """A running hall server with the demo site, staff and kiosk."""

    url: str
    clock: SettableClock
    db: Database
    kiosk_token: str
    app: Any
    clients: list[httpx.Client] = field(default_factory=list)
    _staff_tokens: dict[str, str] = field(default_factory=dict)

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        client = httpx.Client(base_url=self.url + "/api/v1", headers=headers, timeout=30)
        self.clients.append(client)
        return client

    def kiosk(self) -> httpx.Client:
        return self.client(self.kiosk_token)

    def staff_token(self, username: str) -> str:
        if username not in self._staff_tokens:
            reply = self.client().post("/auth/login", json={"username": username, "password": DEMO_PASSWORD})
            assert reply.status_code == 200, reply.text
            self._staff_tokens[username] = reply.json()["token"]
        return self._staff_tokens[username]

    def staff(self, username: str) -> httpx.Client:
        return self.client(self.staff_token(username))

    def close(self) -> None:
        for client in self.clients:
            client.close()


def make_settings(db_url: str, data_dir: Path, **overrides: Any) -> Settings:
    return Settings(db_url=db_url, data_dir=data_dir, **overrides)


@pytest.fixture
def hall(database: Database, clock: SettableClock, tmp_path: Path) -> Iterator[Hall]:
    settings = make_settings(database.url, tmp_path, public_base_url="http://hall.test")
    token = seed_demo(database, clock.now(), tmp_path)
    app = create_app(settings, clock=clock, db=database)
    with ServerThread(app) as url:
        hall = Hall(url=url, clock=clock, db=database, kiosk_token=token, app=app)
        yield hall
        hall.close()
