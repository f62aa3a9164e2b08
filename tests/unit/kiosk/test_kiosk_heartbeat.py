"""The heartbeat against a real hall server: it reports the kiosk, notices the hall going away
quietly, and comes back online by itself."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.hall_client import HallClient
from kiosk.heartbeat import Heartbeat


class _Hall:
    """A tiny HTTP server that records heartbeats (the hall's own tests cover the real endpoint)."""

    def __init__(self, port: int = 0) -> None:
        self.bodies: list[dict] = []
        self.status = 200
        hall = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                hall.bodies.append(json.loads(self.rfile.read(length)))
                body = b'{"ok": true, "server_time": "2026-11-25T10:00:00+08:00"}'
                if hall.status != 200:
                    body = b'{"error": {"code": "unauthorized", "message": "no"}}'
                self.send_response(hall.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def hall():
    server = _Hall()
    yield server
    server.close()


async def test_heartbeat_sends_the_documented_body(hall):
    client = HallClient(hall.url, "token", timeout=2, retries=0)
    states: list[bool] = []
    devices = {"printer": {"state": "degraded", "reason": "paper_near_end"}}
    beat = Heartbeat(lambda: client.call(client.heartbeat, "0.1.0", 12.7, devices, "home"),
                     on_state=states.append)
    assert await beat.beat_once() is True
    assert hall.bodies == [{"app_version": "0.1.0", "uptime_s": 12, "devices": devices, "screen": "home"}]
    assert states == [True]
    client.close()


async def test_refusal_still_counts_as_reachable(hall):
    hall.status = 401
    client = HallClient(hall.url, "wrong", timeout=2, retries=0)
    beat = Heartbeat(lambda: client.call(client.heartbeat, "0.1.0", 1, {}, None))
    assert await beat.beat_once() is True
    client.close()


async def test_unreachable_then_back_by_itself():
    first = _Hall()
    port = first.server.server_address[1]
    url = first.url
    first.close()  # nothing listens there now
    client = HallClient(url, "token", timeout=1, retries=0)
    states: list[bool] = []
    back = asyncio.Event()
    failed_twice = asyncio.Event()

    def on_state(online: bool) -> None:
        states.append(online)
        if online:
            back.set()
        elif states.count(False) >= 2:
            failed_twice.set()

    beat = Heartbeat(lambda: client.call(client.heartbeat, "0.1.0", 1, {}, None), interval_s=30, retry_s=0.05,
                     on_state=on_state)
    task = asyncio.ensure_future(beat.run())
    try:
        await asyncio.wait_for(failed_twice.wait(), 20)
        assert states[:2] == [False, False]
        revived = _Hall(port)  # the hall comes back on the same address
        try:
            await asyncio.wait_for(back.wait(), 20)
        finally:
            revived.close()
    finally:
        beat.stop()
        await asyncio.wait_for(task, 5)
        client.close()
    assert states[-1] is True and beat.failures >= 2 and beat.beats >= 1


def test_intervals_must_be_positive():
    async def send() -> None:
        return None

    with pytest.raises(ValueError):
        Heartbeat(send, interval_s=0)
