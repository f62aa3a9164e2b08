"""RedisExchange against a real redis-server: two nodes in one process, delivery, junk, a node's death."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
import redis

from remote_assist.redis_exchange import RedisExchange
from remote_assist.routing import Endpoint, InMemoryRouting, Outbound


class Node:
    """One exchange with what it delivered and which sockets it was told to close."""

    def __init__(self, url: str, name: str, **timing: float) -> None:
        self.exchange = RedisExchange(url, lambda node: InMemoryRouting(lambda peer: [], node=node),
                                      node=name, **timing)
        self.inbox: asyncio.Queue[Outbound] = asyncio.Queue()
        self.replaced: list[Endpoint] = []
        self.told_replaced = asyncio.Event()

    async def start(self) -> None:
        async def replaced(endpoint: Endpoint) -> None:
            self.replaced.append(endpoint)
            self.told_replaced.set()

        await self.exchange.start(self.inbox.put_nowait, replaced)

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
