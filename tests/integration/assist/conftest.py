"""Signaling fixtures: the relay on a real uvicorn server on loopback, with a settable monotonic clock."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import websockets
from fastapi import FastAPI

from remote_assist.routing import RoutingLimits
from remote_assist.signaling import AssistDirectory, SignalingHub, SignalingSettings
from tests.integration.hall.hall_nodes import OwnRedis

NEXT_OPEN = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Kiosk:
    name: str
    site: str


@dataclass(frozen=True)
class Staff:
    username: str
    role: str
    display_name: str


KIOSKS = {f"kt-{n}": Kiosk(n, "HQ") for n in ("k1", "k2", "k3")} | {"kt-night": Kiosk("k9", "NIGHT")}
STAFF = {
    "st-a": Staff("a", "agent", "坐席甲"),
    "st-b": Staff("b", "agent", "坐席乙"),
    "st-counter": Staff("c", "counter", "窗口"),
}


class ServerThread:
    def __init__(self, app: FastAPI) -> None:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            threading.Event().wait(0.01)
        return f"ws://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class Relay:
    url: str
    hub: SignalingHub

    def kiosk_url(self, token: str = "kt-k1") -> str:
        return f"{self.url}/ws/assist/kiosk?token={token}"

    def staff_url(self, token: str = "st-a") -> str:
        return f"{self.url}/ws/assist/staff?token={token}"


def relay_app(settings: SignalingSettings) -> tuple[FastAPI, SignalingHub]:
    directory = AssistDirectory(
        kiosk_for_token=KIOSKS.get,
        staff_for_token=STAFF.get,
        site_staffed=lambda site, at: (site != "NIGHT", NEXT_OPEN),
        now=lambda: datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
    )
    hub = SignalingHub(directory, settings)
    app = FastAPI()
    app.include_router(hub.api_router())
    return app, hub


def _serve(settings: SignalingSettings) -> Iterator[Relay]:
    app, hub = relay_app(settings)
    with ServerThread(app) as url:
        yield Relay(url, hub)


@pytest.fixture
def relay() -> Iterator[Relay]:
    """The default heartbeat; limits far away so that no test meets them by accident."""
    yield from _serve(SignalingSettings(rate_per_s=20, rate_burst=30, limits=RoutingLimits(wait_limit_s=600)))


@pytest.fixture
def quick_relay() -> Iterator[Relay]:
    """Heartbeat and wait limit shortened so that silence and waiting are reached in about a second."""
    settings = SignalingSettings(
        heartbeat_interval_s=0.3, heartbeat_timeout_s=1.0, limits=RoutingLimits(wait_limit_s=1.0)
    )
    yield from _serve(settings)


class Peer:
    """A signaling client that answers pings and lets a test await a message by type."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.pong = True

    @classmethod
    async def connect(cls, url: str) -> Peer:
        return cls(await websockets.connect(url, open_timeout=10, ping_interval=None))

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def expect(self, kind: str, wait_s: float = 10) -> dict[str, Any]:
        """The next message of ``kind``, skipping pings (answered) and welcome/queued noise."""
        async with asyncio.timeout(wait_s):
            while True:
                message = json.loads(await self.ws.recv())
                if message["type"] == kind:
                    return message
                if message["type"] == "ping" and self.pong:
                    await self.send({"type": "pong"})
                elif message["type"] not in ("ping", "welcome", "queued", "presence"):
                    raise AssertionError(f"expected {kind}, got {message}")

    async def close(self) -> None:
        await self.ws.close()


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A throw-away redis-server on a loopback port, without persistence (the hall's nodes tests' own)."""
    own = OwnRedis(tmp_path)
    try:
        yield own.url
    finally:
        own.stop()
