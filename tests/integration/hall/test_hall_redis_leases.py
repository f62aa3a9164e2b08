"""The request limit's leases against a real Redis, two "nodes" in one process: a busy caller asks Redis
about once a lease, nodes together never let more through than the one bucket, requests waiting on a
lease that Redis refuses are refused too, and a caller that is not busy holds nothing away from the
other nodes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import redis

from hall_server.state.redis_limits import LEASE_S, RedisRateLimiter
from hall_server.state.redis_link import RedisLink

from .hall_nodes import OwnRedis, fresh_redis_url

KEY = "token:kiosk-1"
SLOW_REFILL = 0.0001  # a token back every few hours: what is counted here stays counted


class Clock:
    """The nodes' own clock, moved by the test (Redis keeps its own, which the slow refill makes moot)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def bucket_tokens(url: str, limiter: RedisRateLimiter, key: str) -> float:
    client = redis.Redis.from_url(url)
    try:
        held = client.hget(limiter.link.key("limit", limiter.name, key), "tokens")
    finally:
        client.close()
    assert held is not None
    return float(held)


def script_calls(url: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        stats = client.info("commandstats")
    finally:
        client.close()
    return sum(int(stats.get(f"cmdstat_{name}", {}).get("calls", 0)) for name in ("evalsha", "eval"))


async def burst(limiter: RedisRateLimiter, count: int, key: str = KEY) -> list[float]:
    """``count`` requests of one caller arriving together, as a busy kiosk's over keep-alive connections."""
    return list(await asyncio.gather(*(limiter.acquire(key) for _ in range(count))))


def test_a_busy_caller_asks_redis_about_once_a_lease(tmp_path: Path) -> None:
    own = OwnRedis(tmp_path)
    try:
        async def asked(lease_most: int) -> int:
            link = RedisLink(own.url)
            limiter = RedisRateLimiter(link, f"requests-{lease_most}", 10_000, 1000.0,
                                       lease_most=lease_most)
            try:
                await limiter.acquire("token:another")  # the script loaded into Redis
                before = script_calls(own.url)
                for _ in range(10):
                    assert await burst(limiter, 20) == [0.0] * 20
                return script_calls(own.url) - before
            finally:
                await link.close()

        one_by_one, leased = asyncio.run(asked(1)), asyncio.run(asked(16))
    finally:
        own.stop()
    assert one_by_one == 200
    # Leases of 1, 2, 4, 8, then 16: five asks for the first 31 requests, then one for each 16.
    assert leased <= 200 // 16 + 5, leased


def test_nodes_together_never_let_more_through_than_the_bucket() -> None:
    url = fresh_redis_url()
    clock = Clock()

    async def run() -> tuple[int, int, int, float, int]:
        links = [RedisLink(url), RedisLink(url)]
        a, b = (RedisRateLimiter(link, "requests", 40, SLOW_REFILL, lease_most=8, ticker=clock)
                for link in links)
        try:
            allowed = 0
            for _ in range(6):
                answers = await asyncio.gather(burst(a, 7), burst(b, 5))
                allowed += sum(1 for wait in answers[0] + answers[1] if wait == 0.0)
            held_a, held_b = (sum(lease.left for lease in limiter._leases.values()) for limiter in (a, b))
            left = bucket_tokens(url, a, KEY)
            after = await burst(b, 3)
            return allowed, held_a + held_b, held_b, left, sum(1 for wait in after if wait > 0)
        finally:
            for link in links:
                await link.close()

    allowed, held, held_b, left, refused = asyncio.run(run())
    # 72 requests for 40 tokens: every token let through, or leased and not yet spent; none left.
    assert left < 1
    assert allowed + held == 40
    # A node spends what it leased, then is refused like the other.
    assert refused == max(0, 3 - held_b)


def test_requests_waiting_on_a_refused_lease_are_refused_with_its_wait() -> None:
    url = fresh_redis_url()

    async def run() -> list[float]:
        link = RedisLink(url)
        limiter = RedisRateLimiter(link, "requests", 3, 0.01, lease_most=8)
        try:
            return await burst(limiter, 9)
        finally:
            await link.close()

    answers = asyncio.run(run())
    assert answers.count(0.0) == 3
    refused = [wait for wait in answers if wait]
    assert len(refused) == 6
    assert all(0 < wait <= 100 for wait in refused)  # a token comes back every 100 s


def test_a_caller_not_busy_holds_nothing_from_the_other_nodes() -> None:
    url = fresh_redis_url()
    clock = Clock()

    async def run() -> tuple[list[float], list[float]]:
        link = RedisLink(url)
        limiter = RedisRateLimiter(link, "requests", 50, SLOW_REFILL, lease_most=16, ticker=clock)
        try:
            # One request a lease's time apart: each asks for one token, so the bucket holds the rest.
            slow = []
            for _ in range(4):
                assert await limiter.acquire(KEY) == 0.0
                slow.append(bucket_tokens(url, limiter, KEY))
                clock.now += LEASE_S * 2
            # Busy now: leases grow, and what is left unspent comes back with the next lease.
            await burst(limiter, 12)
            leased = [lease.left for lease in limiter._leases.values()]
            clock.now += LEASE_S * 2
            assert await limiter.acquire(KEY) == 0.0
            return slow, [float(sum(leased)), bucket_tokens(url, limiter, KEY)]
        finally:
            await link.close()

    slow, (unspent, after) = asyncio.run(run())
    assert slow == pytest.approx([49, 48, 47, 46], abs=0.01)
    assert unspent > 0
    # 4 slow requests, 12 busy ones and this one counted; the unspent lease is back in the bucket.
    assert after == pytest.approx(50 - 4 - 12 - 1, abs=0.01)
