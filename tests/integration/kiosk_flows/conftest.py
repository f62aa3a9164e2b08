"""A real hall server (``hall-server serve --demo``) as a subprocess for the kiosk flow tests.

Each server has its own SQLite file (these tests are about the kiosk's flows, so they are not
marked ``db``; the hall's own suite covers PostgreSQL).

``hall_server_factory(now)`` starts one on a free loopback port with its own SQLite file and
returns a handle that can be stopped and started again on the same port and database (the
offline tests); every server is stopped when the test ends.
"""

from __future__ import annotations

import os
import selectors
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.hall_client import HallClient

DEMO_TOKEN = "demo-kiosk-token-HQ"
START_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HallProcess:
    def __init__(self, db_path: Path, now: str, data_dir: Path) -> None:
        self.db_url = f"sqlite:///{db_path}"
        self.now = now
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[str] | None = None

    def start(self, now: str | None = None) -> None:
        cmd = [
            sys.executable,
            "-m",
            "hall_server",
            "serve",
            "--demo",
            "--no-demo-history",
            "--db",
            self.db_url,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--now",
            now or self.now,
        ]
        env = dict(os.environ, HALL_DATA_DIR=str(self.data_dir), PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        assert self.proc.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + START_TIMEOUT_S
        seen: list[str] = []
        try:
            while time.monotonic() < deadline:
                if not selector.select(timeout=deadline - time.monotonic()):
                    break
                line = self.proc.stdout.readline()
                if not line:
                    break
                seen.append(line)
                if line.startswith("listening on"):
                    return
        finally:
            selector.close()
        self.stop()
        raise RuntimeError("hall server did not start:\n" + "".join(seen[-30:]))

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.proc = None

    def client(self, **kwargs: float) -> HallClient:
        # These tests check what the flows do, not how fast the hall answers (bench/ measures that): the
        # timeout only has to outlast a busy machine, where the suite's processes run side by side.
        options = {"timeout": 20.0, "retries": 1, "backoff_s": 0.05} | kwargs
        return HallClient(
            self.url,
            DEMO_TOKEN,
            timeout=options["timeout"],
            retries=int(options["retries"]),
            backoff_s=options["backoff_s"],
        )


@pytest.fixture
def hall_server_factory(tmp_path: Path) -> Iterator[Callable[[str], HallProcess]]:
    started: list[HallProcess] = []

    def start(now: str) -> HallProcess:
        index = len(started)
        server = HallProcess(tmp_path / f"hall{index}.db", now, tmp_path / f"data{index}")
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def wednesday_morning(hall_server_factory: Callable[[str], HallProcess]) -> HallProcess:
    """Wednesday 25 Nov 2026, 10:00 in the hall: before the evening session's 12:00 cut-off."""
    return hall_server_factory("2026-11-25T10:00:00+08:00")


_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(serial: int, birth: str = "19900307", region: str = "110101") -> str:
    """A resident ID number with a valid GB 11643 check character (distinct per serial)."""
    body = f"{region}{birth}{serial % 1000:03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True)) % 11]
    return body + check


@pytest.fixture
def printer_sim(tmp_path: Path) -> Iterator[tuple[object, str]]:
    """The printer simulator served on a pseudo-terminal: (engine, port path)."""
    from terminal_drivers.sim.printer import PrinterEngine
    from terminal_drivers.sim.runner import DeviceServer

    engine = PrinterEngine(out_dir=tmp_path / "printed")
    with DeviceServer(engine) as server:
        yield engine, server.start_pty()


@pytest.fixture
def make_id_number() -> Callable[..., str]:
    return id_number
