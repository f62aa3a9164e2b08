"""Video help across two real hall-server processes sharing PostgreSQL and a real Redis.

A kiosk on node A talks with an agent on node B; a caller waiting on A when A is killed calls again
through B and keeps its place; the agent sees A's call end as ``node_lost``; a caller who never comes
back from a killed node is counted abandoned once, by one of the nodes left; junk on a node's Redis
channel is dropped with a log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from sqlalchemy import select
from websockets.exceptions import ConnectionClosed

from hall_server.demo import DEMO_PASSWORD
from hall_server.store import models as m
from hall_server.store.database import Database
from hall_server.store.scratch_database import scratch_database
from remote_assist.kiosk_peer import KioskPeer
from remote_assist.media import synthetic_media
from remote_assist.staff_peer import StaffPeer
from tests.integration.hall.hall_nodes import free_port

from .conftest import Peer

pytestmark = [pytest.mark.db, pytest.mark.slow]

NOW = "2026-11-25T10:00:00+08:00"  # a Wednesday morning: HQ's agents are staffed
LOGGED_HALL = (
    "import logging, sys; logging.basicConfig(level=logging.INFO, format='%(name)s %(message)s'); "
    "from hall_server.cli import main; sys.exit(main(sys.argv[1:]))"
)


@dataclass
class Node:
    """One ``hall-server serve --redis`` process; its stderr goes to a file the test can read."""

    db_url: str
    redis_url: str
    data_dir: Path
    log: Path
    port: int = field(default_factory=free_port)
    tokens: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[str] | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "HALL_DATA_DIR": str(self.data_dir), "HALL_ASSIST_RING_TIMEOUT_S": "60",
               # Two nodes, aiortc peers and CI's other runs share two cores: a peer's pong may come late.
               "HALL_ASSIST_HEARTBEAT_TIMEOUT_S": "15", **self.env}
        with self.log.open("w") as err:
            self.proc = subprocess.Popen(
                # The relay's own log lines (nodes joining, junk dropped, calls resumed) go to the log file.
                [sys.executable, "-c", LOGGED_HALL, "serve", "--port", str(self.port), "--db", self.db_url,
                 "--db-pool-size", "4", "--redis", self.redis_url, "--demo", "--no-demo-history",
                 "--now", NOW, "--no-rate-limit"],
                stdout=subprocess.PIPE, stderr=err, text=True, env=env,
            )
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("demo kiosk "):
                name = line.split()[2]
                self.tokens[name] = line.rsplit(": ", 1)[1].strip()
            if line.startswith("listening on "):
                return
        raise AssertionError(f"the hall node did not start: {self.log.read_text()}")

    def kill(self) -> None:
        """The node dies at once: no close frames, no goodbye in Redis."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, as systemd stops a node: it must be gone within 20 s (its shutdown is bounded), and is
        killed if not, so that no node outlives the test."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError("the hall node did not stop within 20 s of SIGTERM") from None

    def staff_url(self, username: str = "agent1") -> str:
        reply = httpx.post(f"{self.http}/api/v1/auth/login",
                           json={"username": username, "password": DEMO_PASSWORD}, timeout=10)
        assert reply.status_code == 200, reply.text
        return f"{self.ws}/ws/assist/staff?token={reply.json()['token']}"

    def kiosk_url(self, name: str = "kiosk-01") -> str:
        return f"{self.ws}/ws/assist/kiosk?token={self.tokens[name]}"

    def add_kiosk(self, name: str) -> str:
        """Register another kiosk of the demo site HQ; its token."""
        done = subprocess.run([sys.executable, "-m", "hall_server", "kiosk", "add", name, "--site", "HQ",
                               "--db", self.db_url], capture_output=True, text=True, timeout=60, check=True)
        self.tokens[name] = done.stdout.strip().splitlines()[-1]
        return self.tokens[name]


@pytest.fixture
def nodes(tmp_path: Path, redis_url: str) -> Iterator[tuple[Node, Node]]:
    shared = os.environ.get("HALL_TEST_DB_URL")
    if not shared:
        pytest.skip("several hall nodes share PostgreSQL: set HALL_TEST_DB_URL")
    with scratch_database(shared) as db_url:
        a = Node(db_url, redis_url, tmp_path / "data", tmp_path / "node-a.log")
        b = Node(db_url, redis_url, tmp_path / "data", tmp_path / "node-b.log")
        try:
            a.start()  # seeds the demo first; B finds it there
            b.start()
            yield a, b
        finally:
            a.stop()
            b.stop()
            # Shown by pytest when the test failed: what each node's relay did.
            for node, name in ((a, "A"), (b, "B")):
                if node.log.exists():
                    print(f"--- node {name}\n{node.log.read_text()}")


@pytest.fixture
def three_nodes(tmp_path: Path, redis_url: str) -> Iterator[tuple[Node, Node, Node]]:
    """Three nodes whose lost callers keep their place 3 s (instead of 30) before counting abandoned."""
    shared = os.environ.get("HALL_TEST_DB_URL")
    if not shared:
        pytest.skip("several hall nodes share PostgreSQL: set HALL_TEST_DB_URL")
    with scratch_database(shared) as db_url:
        trio = tuple(Node(db_url, redis_url, tmp_path / "data", tmp_path / f"node-{name}.log",
                          env={"HALL_ASSIST_RESUME_GRACE_S": "3"}) for name in "abc")
        try:
            for node in trio:
                node.start()
            yield trio  # type: ignore[misc]
        finally:
            for node, name in zip(trio, "ABC", strict=True):
                node.stop()
                if node.log.exists():
                    print(f"--- node {name}\n{node.log.read_text()}")


class Caller:
    """A real aiortc kiosk peer calling in a task, its events recorded."""

    def __init__(self, urls: list[str], token: str) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.changed = asyncio.Event()
        self.peer = KioskPeer(urls, token, media=lambda: synthetic_media("kiosk-01", 320, 240),
                              on_event=self._record)
        self.task: asyncio.Task[str] | None = None

    def _record(self, kind: str, data: dict[str, Any]) -> None:
        self.events.append((kind, data))
        self.changed.set()

    async def saw(self, kind: str, after: int = 0, **match: Any) -> dict[str, Any]:
        """The first event of ``kind`` (from the ``after``-th on) whose data has ``match``."""
        while True:
            for k, data in self.events[after:]:
                if k == kind and all(data.get(key) == value for key, value in match.items()):
                    return data
            self.changed.clear()
            await self.changed.wait()

    def start(self, skill: str = "general") -> None:
        self.task = asyncio.create_task(self.peer.call(skill, "zh-Hans"))

    async def stop(self) -> None:
        if self.task is not None and not self.task.done():
            await self.peer.hangup()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.task, 10)


@pytest.fixture
async def agent_on_b(nodes: tuple[Node, Node]) -> AsyncIterator[StaffPeer]:
    url = await asyncio.to_thread(nodes[1].staff_url)
    peer = await StaffPeer.connect(url, ["general"], state="away")
    yield peer
    await peer.close()


async def test_a_kiosk_on_one_node_and_an_agent_on_another_see_and_hear_each_other(
    nodes: tuple[Node, Node], agent_on_b: StaffPeer
) -> None:
    a, _b = nodes
    caller = Caller([a.http], a.tokens["kiosk-01"])
    try:
        async with asyncio.timeout(60):
            await agent_on_b.send({"type": "presence", "state": "available", "skills": ["general"]})
            await agent_on_b.expect("presence")
            caller.start()
            call_id = await agent_on_b.take_call()
            await caller.saw("first_video")
            await agent_on_b.first_frames()
            await agent_on_b.hang_up()
            assert await caller.task == "staff_hangup"  # type: ignore[misc]
            assert (await agent_on_b.expect("ended"))["call_id"] == call_id
    finally:
        await caller.stop()


async def test_a_caller_waiting_on_a_killed_node_is_answered_through_the_other_in_its_place(
    nodes: tuple[Node, Node], agent_on_b: StaffPeer
) -> None:
    a, b = nodes
    # Registered before any socket opens: a blocking command would hold the peers' heartbeats.
    b.add_kiosk("kiosk-02")
    first = Caller([a.http, b.http], a.tokens["kiosk-01"])
    try:
        async with asyncio.timeout(90):
            first.start()
            queued = await first.saw("queued", position=1)
            # A second caller, behind the first, on the node that stays.
            second = await Peer.connect(b.kiosk_url("kiosk-02"))
            await second.send({"type": "call", "skill": "general", "lang": "zh-Hans"})
            await asyncio.to_thread(a.kill)
            await first.saw("reconnected")
            back = next(i for i, (kind, _) in enumerate(first.events) if kind == "reconnected")
            again = await first.saw("queued", after=back, call_id=queued["call_id"])
            assert again["position"] == 1
            await agent_on_b.send({"type": "presence", "state": "available", "skills": ["general"]})
            await agent_on_b.expect("presence")
            incoming = await agent_on_b.signals.get()
            assert (incoming["type"], incoming["call_id"], incoming["kiosk"]) == (
                "incoming", queued["call_id"], "kiosk-01")
            agent_on_b.signals.put_nowait(incoming)
            await agent_on_b.take_call()
            await first.saw("first_video")
            await agent_on_b.first_frames()
            status = await asyncio.to_thread(
                httpx.get, f"{b.http}/api/v1/assist/status",
                headers={"Authorization": f"Bearer {b.tokens['kiosk-01']}"}, timeout=10)
            assert status.json()["callers_waiting"] == 1  # the second caller, still in line
            await second.close()
    finally:
        await first.stop()


async def test_the_agent_sees_the_call_of_a_killed_node_end_as_node_lost(
    nodes: tuple[Node, Node], agent_on_b: StaffPeer
) -> None:
    a, _b = nodes
    async with asyncio.timeout(60):
        await agent_on_b.send({"type": "presence", "state": "available", "skills": ["general"]})
        await agent_on_b.expect("presence")
        kiosk = await Peer.connect(a.kiosk_url())
        await kiosk.send({"type": "call", "skill": "general", "lang": "zh-Hans"})
        incoming = await agent_on_b.expect("incoming")
        await agent_on_b.send({"type": "accept", "call_id": incoming["call_id"]})
        await agent_on_b.expect("accepted")
        await kiosk.expect("accepted")
        killed = time.monotonic()
        await asyncio.to_thread(a.kill)
        ended = await agent_on_b.expect("ended")
        assert (ended["call_id"], ended["reason"]) == (incoming["call_id"], "node_lost")
        # Noticed when A's liveness key expires (5 s) and the next tick runs.
        assert time.monotonic() - killed < 15


async def test_junk_on_a_nodes_channel_is_dropped_with_a_log_line(
    nodes: tuple[Node, Node], redis_url: str
) -> None:
    a, b = nodes
    assert b.proc is not None
    junk = ["{not json", "[1, 2]", '{"to": "staff"}',
            '{"to": ["staff", "agent1"], "message": {"type": "bogus"}}',
            '{"to": ["kiosk", "kiosk-01"], "message": {"type": "accepted", "call_id": "x"}}', "\x00"]
    # B joins Redis (and listens on its channel) when its first socket arrives.
    agent = await Peer.connect(await asyncio.to_thread(b.staff_url))
    await agent.expect("welcome")
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    node_b = next(n for n in client.smembers("assist:nodes") if f"-{b.proc.pid}-" in n)
    for text in junk:
        assert client.publish(f"assist:to:{node_b}", text) == 1
    # B goes on relaying: a kiosk on A still reaches the agent on B.
    await agent.send({"type": "presence", "state": "available", "skills": ["general"]})
    await agent.expect("presence")
    kiosk = await Peer.connect(a.kiosk_url())
    await kiosk.send({"type": "call", "skill": "general", "lang": "zh-Hans"})
    assert (await agent.expect("incoming"))["kiosk"] == "kiosk-01"
    assert b.proc.poll() is None
    logged = b.log.read_text()
    assert logged.count("dropped a bad cross-node message") == len(junk), logged
    await kiosk.close()
    await agent.close()
    client.close()



async def answer_pings(peer: Peer) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for raw in peer.ws:
            if json.loads(raw)["type"] == "ping":
                await peer.send({"type": "pong"})


def call_events(db_url: str, call_id: str) -> list[tuple[str, str | None, str | None]]:
    db = Database(db_url, pool_size=1)
    try:
        with db.read() as conn:
            rows = conn.execute(select(m.events.c.kind, m.events.c.kiosk, m.events.c.detail)
                                .where(m.events.c.subject == call_id).order_by(m.events.c.id))
            return [(r.kind, r.kiosk, r.detail) for r in rows]
    finally:
        db.dispose()


async def events_of_call(db_url: str, call_id: str, count: int) -> list[tuple[str, str | None, str | None]]:
    """The call's stored events once there are ``count`` (the ledger writes off the relay's loop)."""
    for _ in range(600):
        events = await asyncio.to_thread(call_events, db_url, call_id)
        if len(events) >= count:
            break
        await asyncio.sleep(0.1)
    return events


async def test_a_caller_who_never_comes_back_from_a_killed_node_counts_once_as_abandoned(
    three_nodes: tuple[Node, Node, Node]
) -> None:
    a, b, c = three_nodes
    c.add_kiosk("kiosk-02")
    # B and C both run the relay's timers, as long as each holds a socket: either may see the place lapse.
    agent = await Peer.connect(await asyncio.to_thread(b.staff_url))
    await agent.expect("welcome")
    other_kiosk = await Peer.connect(c.kiosk_url("kiosk-02"))
    await other_kiosk.expect("welcome")
    keep_alive = [asyncio.create_task(answer_pings(peer)) for peer in (agent, other_kiosk)]
    try:
        async with asyncio.timeout(90):
            caller = await Peer.connect(a.kiosk_url())
            await caller.send({"type": "call", "skill": "general", "lang": "zh-Hans"})
            call_id = (await caller.expect("queued"))["call_id"]
            await events_of_call(a.db_url, call_id, 1)
            await asyncio.to_thread(a.kill)
            # A's liveness key lapses (5 s), the caller's place is kept 3 s, and it never calls again.
            await events_of_call(a.db_url, call_id, 2)
            await asyncio.sleep(3)  # a dozen more ticks of both B and C
            events = await asyncio.to_thread(call_events, a.db_url, call_id)
            assert events == [("assist_queued", "kiosk-01", "general"),
                              ("assist_abandoned", "kiosk-01", "node_lost")]
            async with httpx.AsyncClient(timeout=30) as client:
                login = await client.post(f"{c.http}/api/v1/auth/login",
                                          json={"username": "manager1", "password": DEMO_PASSWORD})
                reply = await client.get(f"{c.http}/api/v1/stats/assist", params={"site": "HQ"},
                                         headers={"Authorization": f"Bearer {login.json()['token']}"})
            assert reply.status_code == 200, reply.text
            totals = reply.json()["totals"]
            assert (totals["calls"], totals["answered"], totals["abandoned"]) == (1, 0, 1)
    finally:
        for task in keep_alive:
            task.cancel()
        await agent.close()
        await other_kiosk.close()


async def test_a_caller_who_moves_to_another_node_while_waiting_is_counted_once_as_answered(
    nodes: tuple[Node, Node], agent_on_b: StaffPeer
) -> None:
    a, b = nodes
    async with asyncio.timeout(60):
        first = await Peer.connect(a.kiosk_url())
        await first.send({"type": "call", "skill": "general", "lang": "zh-Hans"})
        call_id = (await first.expect("queued"))["call_id"]
        # The same kiosk signs in through B while A lives on (its link to A broke, say): A lets go of
        # the socket, and the call, still waiting, is B's to count.
        again = await Peer.connect(b.kiosk_url())
        await again.expect("welcome")
        await again.send({"type": "call", "skill": "general", "lang": "zh-Hans", "call_id": call_id})
        assert (await again.expect("queued"))["call_id"] == call_id
        await agent_on_b.send({"type": "presence", "state": "available", "skills": ["general"]})
        await agent_on_b.expect("presence")
        assert (await agent_on_b.expect("incoming"))["call_id"] == call_id
        await agent_on_b.send({"type": "accept", "call_id": call_id})
        await again.expect("accepted")
        await again.send({"type": "hangup", "call_id": call_id})
        await agent_on_b.expect("ended")
        await events_of_call(a.db_url, call_id, 3)
        await asyncio.sleep(1)  # anything A would have told late
        events = await asyncio.to_thread(call_events, a.db_url, call_id)
        # Each node stores its events off the relay's loop, two at once may land in either order.
        assert sorted(kind for kind, _kiosk, _detail in events) == [
            "assist_answered", "assist_ended", "assist_queued"], events
        await again.close()
        with contextlib.suppress(ConnectionClosed):
            await first.close()


async def test_a_caller_waiting_on_a_node_stopped_on_purpose_keeps_its_place_through_the_other(
    nodes: tuple[Node, Node], agent_on_b: StaffPeer
) -> None:
    a, b = nodes
    b.add_kiosk("kiosk-02")
    first = Caller([a.http, b.http], a.tokens["kiosk-01"])
    try:
        async with asyncio.timeout(90):
            first.start()
            queued = await first.saw("queued", position=1)
            second = await Peer.connect(b.kiosk_url("kiosk-02"))
            await second.send({"type": "call", "skill": "general", "lang": "zh-Hans"})
            # SIGTERM, as systemd stops a node for an upgrade: its server closes the sockets (1012).
            await asyncio.to_thread(a.stop)
            await first.saw("reconnected")
            back = next(i for i, (kind, _) in enumerate(first.events) if kind == "reconnected")
            again = await first.saw("queued", after=back)
            assert (again["call_id"], again["position"]) == (queued["call_id"], 1)
            await agent_on_b.send({"type": "presence", "state": "available", "skills": ["general"]})
            incoming = await agent_on_b.expect("incoming")
            assert (incoming["call_id"], incoming["kiosk"]) == (queued["call_id"], "kiosk-01")
            # The stopped node handed the call over: it did not count it abandoned on its way out.
            assert [kind for kind, _k, _d in await asyncio.to_thread(call_events, a.db_url, queued["call_id"])
                    ] == ["assist_queued"]
            await second.close()
    finally:
        await first.stop()
