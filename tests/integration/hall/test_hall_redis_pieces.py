"""The shared pieces of a node against a real Redis, two "nodes" in one process: buckets and throttles
spent by one are spent for the other, garbage on the channels changes nothing, a node receives a site's
floor events only while it has a feed of them, a lost Redis falls back to
memory and is said once."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis

from hall_server.config import Settings
from hall_server.state.floor_bus import FloorEvent
from hall_server.state.redis_access_news import RedisAccessNews
from hall_server.state.redis_floor_bus import RedisFloorBus, event_message, message_event
from hall_server.state.redis_limits import RedisLoginLimits, RedisRateLimiter
from hall_server.state.redis_link import RedisLink
from hall_server.usecases.refusal import Refusal

from .hall_nodes import OwnRedis, fresh_redis_url

AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture
def url() -> str:
    return fresh_redis_url()


def test_a_floor_event_goes_through_a_message_unchanged() -> None:
    event = FloorEvent("called", "HQ", AT, window="15", ticket_id="t1", ticket="B001", queue="B", clerk="c1")
    assert message_event(event_message(event, "node-a")) == (event, "node-a")
    for garbage in ("", "[]", "{}", '{"node": "a", "event": []}',
                    '{"node": "a", "event": {"kind": "called"}}',
                    '{"node":"a","event":{"kind":"called","site":"HQ","at":"x"}}',
                    '{"node":"a","event":{"kind":"called","site":"HQ","at":"2026-11-25T02:00:00+00:00","x":1}}'):
        with pytest.raises((ValueError, KeyError, TypeError)):
            message_event(garbage)


def test_a_bucket_spent_through_one_node_is_spent_for_the_other(url: str) -> None:
    a = RedisRateLimiter(RedisLink(url), "requests", 3, 0.01)
    b = RedisRateLimiter(RedisLink(url), "requests", 3, 0.01)
    assert [a.take("address:10.0.0.1") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = b.take("address:10.0.0.1")
    assert 90 < wait <= 100  # a token comes back every 100 s
    assert b.take("address:10.0.0.2") == 0.0  # another caller has its own bucket
    a.give_back("address:10.0.0.1")
    assert b.take("address:10.0.0.1") == 0.0
    assert asyncio.run(b.acquire("address:10.0.0.1")) > 0


def test_failed_sign_ins_through_one_node_lock_the_pair_on_the_other(url: str, tmp_path: Path) -> None:
    settings = Settings(db_url="sqlite://", data_dir=tmp_path)
    a, b = RedisLoginLimits(RedisLink(url), settings), RedisLoginLimits(RedisLink(url), settings)
    for _ in range(settings.login_failures_per_username):
        a.begin("counter1", "10.0.0.1")
        a.failed("counter1", "10.0.0.1")
    with pytest.raises(Refusal) as refused:
        b.begin("counter1", "10.0.0.1")
    assert refused.value.code == "rate_limited"
    assert 0 < b.wait_s("counter1", "10.0.0.1") <= settings.login_backoff_base_s
    b.begin("counter1", "10.0.0.2")  # the same account elsewhere is not locked out
    b.succeeded("counter1", "10.0.0.2")
    a.succeeded("counter1", "10.0.0.1")
    assert b.wait_s("counter1", "10.0.0.1") == 0.0


async def test_garbage_on_the_channels_is_ignored_and_what_follows_still_arrives(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    link = RedisLink(url)
    bus, news = RedisFloorBus(link), RedisAccessNews(link)
    heard: list[tuple[tuple[str, str], str, str | None]] = []
    news.heard = lambda party, reason, digest: heard.append((party, reason, digest))
    await bus.start()
    await news.start()
    other = redis.asyncio.Redis.from_url(url)
    try:
        async with bus.subscribe("HQ") as feed:
            for garbage in (b"\xff", b"null", b'{"kind": 1}'):
                await other.publish(bus.channel("HQ"), garbage)
                await other.publish(news.channel, garbage)
            await other.publish(news.channel, '{"node": "x", "kind": "root", "name": "a", "reason": "r", '
                                              '"digest": null}')
            await other.publish(news.channel, '{"node": "x", "kind": "staff", "name": "counter1", '
                                              '"reason": "signed_out", "digest": "d1"}')
            bus.publish(FloorEvent("window_opened", "HQ", AT, window="15"))
            event = await asyncio.wait_for(feed.get(), 5)
            assert (event.kind, event.window) == ("window_opened", "15")
        for _ in range(100):
            if heard:
                break
            await asyncio.sleep(0.02)
        assert heard == [(("staff", "counter1"), "signed_out", "d1")]
        assert "not an event; ignored" in caplog.text
        assert "not understood; ignored" in caplog.text
    finally:
        await other.aclose()
        await news.close()
        await bus.close()
        await link.close()


def test_a_lost_redis_leaves_the_limits_to_memory_and_is_said_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    own = OwnRedis(tmp_path)
    try:
        limiter = RedisRateLimiter(RedisLink(own.url), "requests", 2, 0.01)
        assert limiter.take("address:10.0.0.1") == 0.0
        own.stop()
        with caplog.at_level(logging.WARNING):
            # The node's own buckets count now: a fresh full one.
            assert [limiter.take("address:10.0.0.1") for _ in range(2)] == [0.0, 0.0]
            assert limiter.take("address:10.0.0.1") > 0
        lost = [r for r in caplog.records if "redis lost" in r.getMessage()]
        assert len(lost) == 1, caplog.text
        assert f"127.0.0.1:{own.port}/0" in lost[0].getMessage()
    finally:
        own.stop()


async def test_a_feed_of_own_events_gets_only_those_made_on_its_node(url: str) -> None:
    link = RedisLink(url)
    bus = RedisFloorBus(link)
    await bus.start()
    other = redis.asyncio.Redis.from_url(url)
    try:
        async with bus.subscribe("HQ") as every, bus.subscribe("HQ", own_only=True) as own:
            elsewhere = FloorEvent("window_paused", "HQ", AT, window="16")
            await other.publish(bus.channel("HQ"), event_message(elsewhere, "another-node"))
            bus.publish(FloorEvent("window_opened", "HQ", AT, window="15"))
            assert (await asyncio.wait_for(every.get(), 5)).window == "16"
            assert (await asyncio.wait_for(every.get(), 5)).window == "15"
            assert (await asyncio.wait_for(own.get(), 5)).window == "15"
    finally:
        await other.aclose()
        await bus.close()
        await link.close()


async def test_a_node_receives_a_sites_events_only_while_a_feed_of_it_hears_every_node(url: str) -> None:
    link = RedisLink(url)
    bus = RedisFloorBus(link)
    await bus.start()
    other = redis.asyncio.Redis.from_url(url)
    channel = bus.channel("HQ")
    try:
        elsewhere = FloorEvent("window_paused", "HQ", AT, window="16")
        async with bus.subscribe("HQ", own_only=True) as own:
            # Nobody on this node follows other nodes' HQ events: Redis has no receiver for them.
            assert await other.publish(channel, event_message(elsewhere, "another-node")) == 0
            bus.publish(FloorEvent("window_opened", "HQ", AT, window="15"))
            assert (await asyncio.wait_for(own.get(), 5)).window == "15"
            await asyncio.sleep(0.2)  # published meanwhile: a feed opened now starts after it
            async with bus.subscribe("HQ") as every:
                assert await other.publish(channel, event_message(elsewhere, "another-node")) == 1
                assert (await asyncio.wait_for(every.get(), 5)).window == "16"
                bus.publish(FloorEvent("window_closed", "HQ", AT, window="17"))
                assert (await asyncio.wait_for(every.get(), 5)).window == "17"
                assert (await asyncio.wait_for(own.get(), 5)).window == "17"
                assert own.ready() == []  # its own event once, not again from Redis
            for _ in range(100):  # the last feed gone, the node unsubscribes
                if await other.publish(channel, event_message(elsewhere, "another-node")) == 0:
                    break
                await asyncio.sleep(0.02)
            else:
                raise AssertionError("the node still receives HQ's events with no feed of them")
    finally:
        await other.aclose()
        await bus.close()
        await link.close()
