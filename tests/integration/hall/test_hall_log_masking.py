"""No token reaches a log line: uvicorn's access and WebSocket lines carry the query string, masked."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from pathlib import Path

import httpx
import pytest
import uvicorn
import websockets

from hall_server.app import create_app
from hall_server.clock import SettableClock
from hall_server.config import Settings
from hall_server.demo import seed_demo
from hall_server.store.database import Database
from hall_server.token_masking import mask_tokens

pytestmark = pytest.mark.db


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_mask_tokens_hides_url_json_and_header_tokens() -> None:
    line = 'GET /ws?a=1&token=abc.DEF-123&b=2 {"token": "s3cret"} Authorization: Bearer xyz_789'
    masked = mask_tokens(line)
    assert "abc.DEF-123" not in masked and "s3cret" not in masked and "xyz_789" not in masked
    assert "a=1" in masked and "b=2" in masked


def test_the_hall_logs_never_carry_a_token(database: Database, clock: SettableClock, tmp_path: Path) -> None:
    token = seed_demo(database, clock.now(), tmp_path)
    app = create_app(Settings(db_url=database.url, data_dir=tmp_path), clock=clock, db=database)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="debug", access_log=True,
                            lifespan="on")
    capture = Capture()
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", ""):
        logging.getLogger(name).addHandler(capture)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive()
            threading.Event().wait(0.01)
        base = f"127.0.0.1:{port}"
        httpx.get(f"http://{base}/api/v1/services?token={token}",
                  headers={"Authorization": f"Bearer {token}"})

        async def sockets() -> None:
            for path in (f"/ws/assist/kiosk?token={token}", "/ws/assist/kiosk"):
                async with websockets.connect(f"ws://{base}{path}", ping_interval=None) as ws:
                    if "token=" not in path:
                        await ws.send(json.dumps({"type": "auth", "token": token}))
                    await ws.recv()

        asyncio.run(sockets())
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access", ""):
            logging.getLogger(name).removeHandler(capture)
    assert any("/api/v1/services" in line for line in capture.lines), capture.lines
    assert any("/ws/assist/kiosk" in line for line in capture.lines), capture.lines
    assert not [line for line in capture.lines if token in line]
