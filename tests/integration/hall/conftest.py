"""Hall server fixtures: a fresh database per test (SQLite file, or PostgreSQL from HALL_TEST_DB_URL),
a settable clock, and the app served by a real uvicorn on a free loopback port."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn

from hall_server.app import create_app
from hall_server.clock import SettableClock
from hall_server.config import Settings
from hall_server.demo import DEMO_PASSWORD, seed_demo
from hall_server.state.writers import Writers
from hall_server.store import identities
from hall_server.store.database import Database
from hall_server.store.scratch_database import scratch_database

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Wednesday with a regular day and the evening session.
DEFAULT_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database: a SQLite file, or a throw-away PostgreSQL database beside HALL_TEST_DB_URL's.

    Empty, unless the test takes ``database`` too (``hall`` does): then at the newest schema revision.
    """
    if "database" in request.fixturenames:
        yield request.getfixturevalue("migrated_db_url")
        return
    url = os.environ.get("HALL_TEST_DB_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'hall.sqlite3'}"
        return
    with scratch_database(url) as scratch:
        yield scratch


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url, pool_size=10)  # migrated already (``db_url``)
    yield db
    db.dispose()


@pytest.fixture
async def writers(database: Database) -> AsyncIterator[Writers]:
    """Writers as a running hall has them: the loop's engine open (PostgreSQL) for the test's loop."""
    database.open_on_loop()
    writers = Writers(database, slots=2)
    yield writers
    await writers.close()
    await database.close_on_loop()


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
        # As ``hall-server serve``: uvicorn believes no proxy header, the hall decides (--trusted-proxy).
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False, lifespan="on", proxy_headers=False)
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

    def page(self, path: str) -> httpx.Response:
        """A web page of the hall (``/t/...``) with the API clients' timeout: the suite runs beside others."""
        return httpx.get(self.url + path, timeout=30)

    def staff_token(self, username: str) -> str:
        if username not in self._staff_tokens:
            reply = self.client().post("/auth/login", json={"username": username, "password": DEMO_PASSWORD})
            assert reply.status_code == 200, reply.text
            self._staff_tokens[username] = reply.json()["token"]
        return self._staff_tokens[username]

    def staff(self, username: str) -> httpx.Client:
        return self.client(self.staff_token(username))

    def seated(self, window: str, username: str = "counter1", site: str = "HQ") -> httpx.Client:
        """A counter clerk signed in at ``window`` (one clerk a window: other windows need other
        usernames, made counter accounts here when the demo has none)."""
        with self.db.write() as conn:
            if not identities.staff_exists(conn, username):
                identities.add_staff(conn, username, "counter", DEMO_PASSWORD, self.clock.now())
        clerk = self.staff(username)
        signed = clerk.post(f"/windows/{window}/sign-in", params={"site": site})
        assert signed.status_code == 200, signed.text
        return clerk

    def close(self) -> None:
        for client in self.clients:
            client.close()


def make_settings(db_url: str, data_dir: Path, **overrides: Any) -> Settings:
    return Settings(db_url=db_url, data_dir=data_dir, **overrides)


class ManualTicker:
    """A monotonic time source for the rate limits that moves only when a test moves it."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds

    def advance(self, seconds: float) -> None:
        self.seconds += seconds


@pytest.fixture
def ticker() -> ManualTicker:
    return ManualTicker()


@pytest.fixture
def hall_with(
    database: Database, clock: SettableClock, tmp_path: Path, ticker: ManualTicker
) -> Iterator[Callable[..., Hall]]:
    """Start the demo hall with settings overridden (once per test); rate limits run on ``ticker``."""
    stack = ExitStack()

    def start(**overrides: Any) -> Hall:
        overrides = {"public_base_url": "http://hall.test", **overrides}
        settings = make_settings(database.url, tmp_path, **overrides)
        token = seed_demo(database, clock.now(), tmp_path)
        app = create_app(settings, clock=clock, db=database, ticker=ticker)
        url = stack.enter_context(ServerThread(app))
        hall = Hall(url=url, clock=clock, db=database, kiosk_token=token, app=app)
        stack.callback(hall.close)
        return hall

    with stack:
        yield start


@pytest.fixture
def hall(hall_with: Callable[..., Hall]) -> Hall:
    return hall_with()
