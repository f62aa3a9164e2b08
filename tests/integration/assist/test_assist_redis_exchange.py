"""RedisExchange against a real redis-server: nodes in one process, delivery, junk, a node's death, and
a caller lost with its node told abandoned by one node only."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable

import pytest
import redis

from remote_assist.redis_exchange import RedisExchange
from remote_assist.routing import Call, Endpoint, InMemoryRouting, Outbound


class Node:
    """One exchange with what it delivered and which sockets it was told to close."""

    def __init__(self, url: str, name: str, clock: Callable[[], float] = time.time, **timing: float) -> None:
        self.exchange = RedisExchange(url, lambda node: InMemoryRouting(lambda peer: [], node=node),
                                      node=name, clock=clock, **timing)
        self.inbox: asyncio.Queue[Outbound] = asyncio.Queue()
        self.replaced: list[Endpoint] = []
        self.told_replaced = asyncio.Event()
        self.abandoned: list[Call] = []

    async def start(self) -> None:
        async def replaced(endpoint: Endpoint) -> None:
            self.replaced.append(endpoint)
            self.told_replaced.set()

        await self.exchange.start(self.inbox.put_nowait, replaced, self.abandoned.append)

    async def next(self, kind: str) -> Outbound:
        async with asyncio.timeout(5):
            while True:
                item = await self.inbox.get()
                if item.message["type"] == kind:
                    return item


@pytest.fixture
async def two(redis_url: str) -> AsyncIterator[tuple[Node, Node]]:
    # A's beat is slow on purpose: deleting its liveness key stands for its death.
    a = Node(redis_url, "A", beat_s=30, node_ttl_s=60)
    b = Node(redis_url, "B")
    await a.start()
    await b.start()
    yield a, b
    await a.exchange.close()
    await b.exchange.close()


async def _call(node: Node, kiosk: str) -> str:
    await node.exchange.attach(("kiosk", kiosk))
    call_id: str = await node.exchange.change(lambda r, at: r.kiosk_call(kiosk, "HQ", "general", "en", at))
    return call_id


async def _agent(node: Node, name: str, state: str = "available") -> None:
    await node.exchange.attach(("staff", name))
    await node.exchange.change(lambda r, at: (None, r.add_agent(name, name, at)))
    await node.exchange.change(lambda r, at: (None, r.presence(name, state, ["general"], at)))


async def test_a_call_on_one_node_rings_the_agent_on_the_other(two: tuple[Node, Node]) -> None:
    a, b = two
    await _agent(b, "agent1")
    call_id = await _call(a, "k1")
    incoming = await b.next("incoming")
    assert incoming.to == ("staff", "agent1") and incoming.message["call_id"] == call_id
    assert (await a.next("queued")).to == ("kiosk", "k1")  # the kiosk's own message stays on A
    status = await b.exchange.status("HQ")
    assert (status.agents_online, status.callers_waiting) == (1, 1)


async def test_junk_on_the_channel_is_dropped_with_a_log_line(
    two: tuple[Node, Node], redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    a, b = two
    await _agent(b, "agent1")
    junk = ["{", "null", '{"to": ["staff"]}', '{"to": ["robot", "x"], "message": {"type": "ping"}}',
            '{"to": ["staff", "agent1"], "message": {"type": "incoming"}}',
            '{"to": ["staff", "a"], "message": 1}']
    client = redis.Redis.from_url(redis_url)
    with caplog.at_level(logging.WARNING, "remote_assist.redis_exchange"):
        for text in junk:
            assert client.publish("assist:to:B", text) == 1
        call_id = await _call(a, "k1")
        assert (await b.next("incoming")).message["call_id"] == call_id  # what follows still arrives
    client.close()
    dropped = [r for r in caplog.records if "dropped a bad cross-node message" in r.getMessage()]
    assert len(dropped) == len(junk)
    assert b.inbox.empty()


async def test_signing_in_on_another_node_replaces_the_old_socket(two: tuple[Node, Node]) -> None:
    a, b = two
    await a.exchange.attach(("kiosk", "k1"))
    await b.exchange.attach(("kiosk", "k1"))
    async with asyncio.timeout(5):
        await a.told_replaced.wait()
    assert a.replaced == [("kiosk", "k1")]
    assert not await a.exchange.detach(("kiosk", "k1"))  # B holds it now: A's goodbye ends nothing
    assert await b.exchange.detach(("kiosk", "k1"))


async def test_a_dead_nodes_talk_ends_as_node_lost_and_its_waiting_caller_resumes(
    two: tuple[Node, Node], redis_url: str
) -> None:
    a, b = two
    await _agent(b, "agent1")
    talking = await _call(a, "k1")
    await b.next("incoming")
    await b.exchange.change(lambda r, at: (None, r.accept("agent1", talking, at)))
    waiting = await _call(a, "k2")
    while not b.inbox.empty():
        b.inbox.get_nowait()
    client = redis.Redis.from_url(redis_url)
    client.delete("assist:node:A")
    client.close()
    await b.exchange.tick(lambda site: None)
    told = [b.inbox.get_nowait() for _ in range(b.inbox.qsize())]
    # The agent is told the talk ended; the waiting caller, away, is not rung meanwhile.
    assert [item.message for item in told if item.to == ("staff", "agent1")] == [
        {"type": "ended", "call_id": talking, "reason": "node_lost"}]
    assert "A" not in await b.exchange.redis.smembers("assist:nodes")
    # k2 comes back through B with its call id: the same call, first in line, rung at once.
    await b.exchange.attach(("kiosk", "k2"))
    again = await b.exchange.change(
        lambda r, at: r.kiosk_call("k2", "HQ", "general", "en", at, resume=waiting)
    )
    assert again == waiting
    told = [b.inbox.get_nowait() for _ in range(b.inbox.qsize())]
    assert [(item.to, item.message["type"], item.message["call_id"]) for item in told] == [
        (("staff", "agent1"), "incoming", waiting), (("kiosk", "k2"), "queued", waiting)]
    assert told[1].message["position"] == 1


async def test_a_caller_lost_with_its_node_who_never_comes_back_is_told_abandoned_by_one_node_only(
    redis_url: str
) -> None:
    now = [1000.0]
    a = Node(redis_url, "A", beat_s=30, node_ttl_s=60)
    # B and C apply the hall's timers on every tick (no lease between them): only the lock keeps them apart.
    b, c = (Node(redis_url, name, clock=lambda: now[0], tick_lease_s=0.001) for name in ("B", "C"))
    for node in (a, b, c):
        await node.start()
    try:
        lost = await _call(a, "k1")
        stays = await _call(b, "k2")
        client = redis.Redis.from_url(redis_url)
        client.delete("assist:node:A")
        client.close()
        await b.exchange.tick(lambda site: None)
        assert b.abandoned == [] and c.abandoned == []  # its place is kept for a while
        now[0] += 29
        await asyncio.gather(b.exchange.tick(lambda site: None), c.exchange.tick(lambda site: None))
        assert b.abandoned == [] and c.abandoned == []
        now[0] += 2
        await asyncio.sleep(0.01)
        await asyncio.gather(b.exchange.tick(lambda site: None), c.exchange.tick(lambda site: None))
        told = b.abandoned + c.abandoned
        assert [(call.call_id, call.kiosk, call.site, call.skill) for call in told] == [
            (lost, "k1", "HQ", "general")]
        # A change that outlived the lock and ended the same call again tells nobody a second time.
        await asyncio.gather(b.exchange.abandon(told), c.exchange.abandon(told))
        assert len(b.abandoned + c.abandoned) == 1
        assert stays in (await b.exchange._load())[0].calls  # the caller on a live node waits on
    finally:
        for node in (a, b, c):
            await node.exchange.close()


async def test_a_lost_redis_is_said_once_and_closing_still_ends_at_once(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    node = Node(redis_url, "C")
    await node.start()
    with caplog.at_level(logging.INFO, "remote_assist.redis_exchange"):
        redis.Redis.from_url(redis_url).shutdown(nosave=True)
        await asyncio.sleep(4)  # the listener tries again several times meanwhile
        lost = [r for r in caplog.records if "lost its Redis channel" in r.getMessage()]
        assert len(lost) == 1
        loop = asyncio.get_running_loop()
        began = loop.time()
        await node.exchange.close()
        # Bounded by the exchange's own limit (3 s), whatever its loops were doing: not a speed figure,
        # a node that must stop (the bound is generous for a crowded machine).
        assert loop.time() - began < 10
