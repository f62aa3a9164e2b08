"""Several real ``hall-server serve`` processes on loopback ports sharing one PostgreSQL database and one
Redis (HALL_TEST_DB_URL, HALL_TEST_REDIS_URL), as a city runs them; and a Redis of a test's own to stop."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import redis

HALL = [sys.executable, "-m", "hall_server"]
NOW = "2026-11-25T10:00:00+08:00"
_next_db = [int(time.time()) % 15]


def postgres_url() -> str:
    """The PostgreSQL server of the run; the test is skipped on SQLite (the PostgreSQL run has it)."""
    url = os.environ.get("HALL_TEST_DB_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("several nodes share a PostgreSQL database: this runs in the PostgreSQL run")
    return url


def redis_base_url() -> str:
    url = os.environ.get("HALL_TEST_REDIS_URL")
    if not url:
        pytest.skip("SEVERAL-NODES TESTS SKIPPED: HALL_TEST_REDIS_URL is not set; run "
                    "HALL_TEST_REDIS_URL=$(bash scripts/start-test-redis.sh | tail -n 1)")
    return url


def fresh_redis_url() -> str:
    """A database number of the test Redis of its own, emptied (keys and channels carry the number)."""
    base = redis_base_url().rsplit("/", 1)[0]
    _next_db[0] = _next_db[0] % 15 + 1
    url = f"{base}/{_next_db[0]}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Node:
    """One ``hall-server serve`` process; its output goes to files the test can read."""

    def __init__(self, proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.proc = proc
        self.url = url
        self.log_path = log

    @property
    def api(self) -> str:
        return self.url + "/api/v1"

    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")

    def kill(self) -> None:
        """Gone at once, as a machine that loses power: no shutdown, no goodbye to Redis."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, as systemd stops a node: gone within 15 s (its shutdown is bounded), else killed and
        said, so that no node outlives the test."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError("the hall node did not stop within 15 s of SIGTERM") from None


def start_node(db_url: str, redis_url: str, data_dir: Path, name: str, *extra: str) -> Node:
    """A node serving the demo hall (the first seeds it; the others find it seeded)."""
    out, err = data_dir / f"{name}.out", data_dir / f"{name}.log"
    env = {**os.environ, "HALL_DATA_DIR": str(data_dir)}
    # A small pool each: a node opens its connections as it starts, and the tests of the other worker
    # share the same PostgreSQL (100 connections).
    command = [*HALL, "serve", "--port", "0", "--db", db_url, "--db-pool-size", "4", "--redis", redis_url,
               "--demo", "--no-demo-history", "--now", NOW, "--log-level", "info", *extra]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        for line in out.read_text("utf-8", errors="replace").splitlines():
            if line.startswith("listening on "):
                return Node(proc, line.split()[-1], err)
        if proc.poll() is not None:
            raise AssertionError(f"node {name} did not start: {err.read_text('utf-8', errors='replace')}")
        time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"node {name} did not start in time: {err.read_text('utf-8', errors='replace')}")


@contextmanager
def nodes(db_url: str, redis_url: str, data_dir: Path, count: int, *extra: str) -> Iterator[list[Node]]:
    """``count`` nodes started one after the other, all stopped at the end."""
    with ExitStack() as stack:
        started: list[Node] = []
        for index in range(count):
            node = start_node(db_url, redis_url, data_dir, "node-" + "abc"[index], *extra)
            stack.callback(node.stop)
            started.append(node)
        yield started


class OwnRedis:
    """A redis-server of the test's own, on a free loopback port, that the test may stop."""

    def __init__(self, data_dir: Path) -> None:
        if shutil.which("redis-server") is None:
            pytest.fail("redis-server is not installed (scripts/install-system-deps.sh installs it)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(data_dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
            finally:
                client.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
