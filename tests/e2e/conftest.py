"""End-to-end fixtures: the hall server with demo data on loopback, and headless Debian Chromium."""

from __future__ import annotations

import socket
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import uvicorn

from hall_server.app import create_app
from hall_server.clock import SettableClock
from hall_server.config import Settings
from hall_server.demo import seed_demo
from hall_server.store.database import Database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
WEDNESDAY_MORNING = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@dataclass
class HallServer:
    url: str
    kiosk_token: str
    app: Any
    clock: SettableClock | None = None


@pytest.fixture
def hall_server(tmp_path: Path, migrated_db_url: str) -> Iterator[HallServer]:
    url = migrated_db_url
    db = Database(url, pool_size=5)
    clock = SettableClock(WEDNESDAY_MORNING)
    token = seed_demo(db, clock.now(), tmp_path)
    app = create_app(Settings(db_url=url, data_dir=tmp_path, demo=True), clock=clock, db=db)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the hall server did not start")
        threading.Event().wait(0.02)
    try:
        yield HallServer(f"http://127.0.0.1:{port}", token, app, clock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        db.dispose()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30000
        )
        try:
            yield chromium
        finally:
            await chromium.close()
