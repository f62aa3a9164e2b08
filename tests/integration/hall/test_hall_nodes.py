"""Several hall nodes on one PostgreSQL database and one Redis act as one hall (DESIGN §4.9): calls made on
one node reach calling screens on another, limits and revocations hold on every node, a killed node leaves
the others serving; a Redis down at start is refused, a Redis lost mid-run leaves each node serving alone."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from hall_server.config import DEMO_KIOSK_TOKEN
from hall_server.demo import DEMO_PASSWORD
from hall_server.store.scratch_database import scratch_database

from .hall_nodes import HALL, Node, OwnRedis, free_port, fresh_redis_url, nodes, postgres_url
from .sse_reader import END, SseReader

pytestmark = pytest.mark.db
STREAM = "/api/v1/sites/HQ/calls/stream"
REVOKED_WITHIN_S = 2.0
HQ = {"site": "HQ"}


@pytest.fixture
def pg_url() -> Iterator[str]:
    with scratch_database(postgres_url()) as url:
        yield url


def login(node: Node, username: str = "counter1", password: str = DEMO_PASSWORD) -> httpx.Response:
    return httpx.post(node.api + "/auth/login", json={"username": username, "password": password}, timeout=30)


def staff(node: Node, token: str) -> httpx.Client:
    return httpx.Client(base_url=node.api, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def take_ticket(node: Node) -> str:
    reply = httpx.post(node.api + "/tickets", json={"service": "SB-001"}, timeout=30,
                       headers={"Authorization": f"Bearer {DEMO_KIOSK_TOKEN}"})
    assert reply.status_code == 201, reply.text
    return str(reply.json()["number"])


def call_next(clerk: httpx.Client, window: str = "15") -> str:
    reply = clerk.post(f"/counters/{window}/call-next", params={"site": "HQ"})
    assert reply.status_code == 200, reply.text
    return str(reply.json()["number"])


@contextmanager
def seated(node: Node, window: str = "15", username: str = "counter1") -> Iterator[httpx.Client]:
    reply = login(node, username)
    assert reply.status_code == 200, reply.text
    with staff(node, reply.json()["token"]) as clerk:
        signed = clerk.post(f"/windows/{window}/sign-in", params=HQ)
        assert signed.status_code == 200, signed.text
        yield clerk


def add_clerk(pg_url: str, username: str) -> None:
    added = subprocess.run([*HALL, "staff", "add", username, "--role", "counter", "--password-stdin",
                            "--db", pg_url], input=DEMO_PASSWORD + "\n", capture_output=True, text=True,
                           timeout=60)
    assert added.returncode == 0, added.stderr


def next_call(screen: SseReader, timeout: float = 10.0) -> dict[str, Any]:
    while True:
        name, data = screen.next(timeout)
        assert (name, data) != END, "the calling screen's stream ended"
        if data.get("type") == "called":
            return data


def refused_within(seconds: float, ask: Any) -> int:
    """Asks until refused (401/403) or ``seconds`` pass; returns the last status."""
    deadline = time.monotonic() + seconds
    while True:
        status = int(ask().status_code)
        if status in (401, 403) or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def test_a_call_made_on_one_node_reaches_calling_screens_on_the_others(pg_url: str, tmp_path: Path) -> None:
    with (nodes(pg_url, fresh_redis_url(), tmp_path, 3) as (a, b, c),
          SseReader(b.url + STREAM) as on_b, SseReader(c.url + STREAM) as on_c):
        assert on_b.next()[1]["type"] == "state"
        assert on_c.next()[1]["type"] == "state"
        number = take_ticket(a)
        with seated(a) as clerk:
            assert call_next(clerk) == number
        assert next_call(on_b)["ticket"] == number
        assert next_call(on_c)["ticket"] == number


def test_limits_and_revocations_spent_on_one_node_hold_on_the_other(pg_url: str, tmp_path: Path) -> None:
    with nodes(pg_url, fresh_redis_url(), tmp_path, 2) as (a, b):
        # A session signed out on A: B, which has just used (and cached) the token, refuses it at once.
        token = login(a).json()["token"]
        with staff(b, token) as on_b:
            assert on_b.get("/windows/mine", params=HQ).status_code == 200
            assert httpx.post(a.api + "/auth/logout", headers={"Authorization": f"Bearer {token}"},
                              timeout=30).status_code == 200
            assert refused_within(REVOKED_WITHIN_S, lambda: on_b.get("/windows/mine", params=HQ)) == 401
        # A kiosk revoked by the command: refused on both nodes.
        added = subprocess.run([*HALL, "kiosk", "add", "kiosk-77", "--site", "HQ", "--db", pg_url],
                               capture_output=True, text=True, timeout=60)
        assert added.returncode == 0, added.stderr
        kiosk = httpx.Client(headers={"Authorization": f"Bearer {added.stdout.split()[-1]}"}, timeout=30)
        with kiosk:
            for node in (a, b):
                assert kiosk.get(node.api + "/assist/status").status_code == 200
            revoked = subprocess.run([*HALL, "kiosk", "revoke", "kiosk-77", "--db", pg_url],
                                     capture_output=True, text=True, timeout=60)
            assert revoked.returncode == 0, revoked.stderr
            for node in (a, b):
                assert refused_within(REVOKED_WITHIN_S, lambda n=node: kiosk.get(n.api + "/assist/status")) \
                    == 401
        # Password guessing spread over the nodes: five failures on A lock the pair on B too, where even
        # the right password waits.
        add_clerk(pg_url, "counter2")
        for _ in range(5):
            assert login(a, "counter2", "wrong-password").status_code == 401
        locked = login(b, "counter2")
        assert locked.status_code == 429, locked.text
        assert locked.json()["error"]["code"] == "rate_limited"


def test_a_request_budget_spent_on_one_node_is_spent_on_the_other(pg_url: str, tmp_path: Path) -> None:
    limits = ("--rate-limit-burst", "4", "--rate-limit-per-s", "0.05")
    with nodes(pg_url, fresh_redis_url(), tmp_path, 2, *limits) as (a, b):
        for _ in range(4):
            assert httpx.get(a.api + "/sites/HQ/calls", timeout=30).status_code == 200
        refused = httpx.get(b.api + "/sites/HQ/calls", timeout=30)
        assert refused.status_code == 429, refused.text
        assert refused.json()["error"]["code"] == "rate_limited"
        assert int(refused.headers["retry-after"]) >= 1


def test_a_killed_node_leaves_the_other_serving_its_screens(pg_url: str, tmp_path: Path) -> None:
    with nodes(pg_url, fresh_redis_url(), tmp_path, 2) as (a, b):
        with SseReader(a.url + STREAM) as on_a, SseReader(b.url + STREAM) as on_b:
            assert on_a.next()[1]["type"] == "state"
            assert on_b.next()[1]["type"] == "state"
            first = take_ticket(a)
            with seated(a) as clerk:
                assert call_next(clerk) == first
            assert next_call(on_b)["ticket"] == first
            add_clerk(pg_url, "counter2")
            a.kill()
            assert on_a.next_named("<end>") == {}  # the screen on A lost its node
            # B serves on: a call made there reaches its screen, and the screen that watched A, come to
            # B, reads the state first, with the call A made before it died.
            second = take_ticket(b)
            with seated(b, "16", "counter2") as clerk:
                assert call_next(clerk, "16") == second
            assert next_call(on_b)["ticket"] == second
        with SseReader(b.url + STREAM) as moved:
            _name, state = moved.next()
            assert state["type"] == "state"
            assert {call["ticket"] for call in state["calls"]} >= {first, second}
            assert state["windows"]["16"]["ticket"] == second


def test_a_node_refuses_to_start_when_redis_does_not_answer(pg_url: str, tmp_path: Path) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    result = subprocess.run([*HALL, "serve", "--port", "0", "--db", pg_url, "--redis", dead],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("hall-server: error: redis_unreachable: cannot reach Redis at 127.0.0.1:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_redis_with_sqlite_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "hall.sqlite3"
    result = subprocess.run([*HALL, "serve", "--port", "0", "--db", f"sqlite:///{db}",
                             "--redis", "redis://127.0.0.1:6379/0"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("hall-server: error: redis_needs_postgresql: ")
    assert not db.exists()


def test_a_node_that_loses_redis_serves_on_alone_and_says_so(pg_url: str, tmp_path: Path) -> None:
    own = OwnRedis(tmp_path)
    try:
        with nodes(pg_url, own.url, tmp_path, 1) as (a,):
            with SseReader(a.url + STREAM) as screen:
                assert screen.next()[1]["type"] == "state"
                own.stop()
                # The screen is let go (it may miss other nodes' calls from now on) and comes back.
                assert screen.next_named("<end>") == {}
            with SseReader(a.url + STREAM) as screen:
                assert screen.next()[1]["type"] == "state"
                number = take_ticket(a)  # the request limits count in memory meanwhile
                with seated(a) as clerk:
                    assert call_next(clerk) == number
                assert next_call(screen)["ticket"] == number
            assert "redis lost (floor events at 127.0.0.1:" in a.log()
    finally:
        own.stop()
