"""Per-caller request limits as token buckets kept in this process's memory (refused as rate_limited).

One node counts here; several nodes (``serve --redis``) count in Redis through the same interface
(``redis_limits``), so that a budget spent on one node is spent on all.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from hall_server.config import Settings
from hall_server.usecases.refusal import Refusal

Ticker = Callable[[], float]
# Callers remembered before the quiet ones are pruned (here and in ``redis_limits``' leases).
PRUNE_FLOOR = 10_000


@dataclass
class TokenBucket:
    """``capacity`` tokens at most, ``refill_per_s`` coming back each second; one token per request."""

    capacity: float
    refill_per_s: float
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        # A ticker never runs backwards, but a bucket must not lose tokens if a test clock does.
        elapsed = max(0.0, now - self.stamp)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.refill_per_s)
        self.stamp = now

    def take(self, now: float) -> float:
        """Take a token: 0.0 when there was one, else the seconds until there will be."""
        self.refill(now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.refill_per_s

    def give_back(self, now: float) -> None:
        self.refill(now)
        self.tokens = min(self.capacity, self.tokens + 1.0)

    def is_full(self, now: float) -> bool:
        return self.tokens + max(0.0, now - self.stamp) * self.refill_per_s >= self.capacity


class RateLimiter:
    """One token bucket per key, made full on first sight; full buckets are forgotten when many pile up."""

    def __init__(self, capacity: int, refill_per_s: float, ticker: Ticker = time.monotonic) -> None:
        if capacity < 1 or refill_per_s <= 0:
            raise ValueError("a rate limit needs a capacity of at least 1 and a positive refill rate")
        self.capacity = float(capacity)
        self.refill_per_s = refill_per_s
        self._ticker = ticker
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()
        self._prune_at = PRUNE_FLOOR

    def take(self, key: str) -> float:
        """Count one request of ``key``: 0.0 when allowed, else the seconds to wait."""
        now = self._ticker()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self._prune_at:
                    self._prune(now)
                bucket = TokenBucket(self.capacity, self.refill_per_s, self.capacity, now)
                self._buckets[key] = bucket
            return bucket.take(now)

    async def acquire(self, key: str) -> float:
        """``take`` from the event loop (a shared limiter asks Redis without blocking the loop)."""
        return self.take(key)

    def give_back(self, key: str) -> None:
        """Return a token taken for ``key`` (an attempt that turned out not to count)."""
        now = self._ticker()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is not None:
                bucket.give_back(now)

    def _prune(self, now: float) -> None:
        for key in [key for key, bucket in self._buckets.items() if bucket.is_full(now)]:
            del self._buckets[key]
        self._prune_at = max(PRUNE_FLOOR, 2 * len(self._buckets))


def retry_after_s(wait_s: float) -> int:
    """The Retry-After header's whole seconds: never 0, so a client that obeys it is let in."""
    return max(1, math.ceil(wait_s))


def rate_limited(wait_s: float, what: str) -> Refusal:
    """The refusal of a request over its limit; its ``retry_after_s`` also becomes a Retry-After header."""
    seconds = retry_after_s(wait_s)
    return Refusal("rate_limited", f"too many {what}; try again in {seconds} s",
                   extra={"retry_after_s": seconds})


@dataclass
class _Failures:
    count: int
    last: float
    locked_until: float


class LoginLimits:
    """Failed sign-ins, per account and address, and per address across accounts; successes do not count.

    Counting per account *and* address means a stranger elsewhere cannot lock a clerk out. After
    ``login_failures_per_username`` failures the pair waits, doubling from ``login_backoff_base_s`` at
    each further failure, but never longer than ``login_max_backoff_s``: the right password is never
    refused for longer than that. Failures are forgotten after a quiet quarter of an hour.
    """

    FORGET_AFTER_S = 900.0

    def __init__(self, settings: Settings, ticker: Ticker = time.monotonic) -> None:
        refill = 1.0 / min(settings.login_failure_refill_s, settings.login_max_backoff_s)
        self.per_address = RateLimiter(settings.login_failures_per_address, refill, ticker)
        self.free_failures = settings.login_failures_per_username
        self.base_s = min(settings.login_backoff_base_s, settings.login_max_backoff_s)
        self.max_s = settings.login_max_backoff_s
        self._ticker = ticker
        self._failures: dict[tuple[str, str], _Failures] = {}
        self._lock = threading.Lock()

    def wait_s(self, username: str, address: str) -> float:
        """How long the pair must still wait before its next attempt is checked (0.0: now)."""
        now = self._ticker()
        with self._lock:
            state = self._failures.get((username, address))
        return 0.0 if state is None else max(0.0, state.locked_until - now)

    def begin(self, username: str, address: str) -> None:
        """Before the password is checked: rate_limited while the pair or the address must wait."""
        wait_pair = self.wait_s(username, address)
        if wait_pair:
            raise rate_limited(wait_pair, "failed sign-ins")
        wait_address = self.per_address.take(address)
        if wait_address:
            raise rate_limited(wait_address, "failed sign-ins")

    def failed(self, username: str, address: str) -> None:
        now = self._ticker()
        with self._lock:
            if len(self._failures) >= PRUNE_FLOOR:
                self._prune(now)
            state = self._failures.get((username, address))
            if state is None or now - state.last > self.FORGET_AFTER_S:
                state = _Failures(0, now, now)
                self._failures[(username, address)] = state
            state.count += 1
            state.last = now
            beyond = state.count - self.free_failures
            if beyond >= 0:
                state.locked_until = now + min(self.max_s, self.base_s * 2 ** min(beyond, 30))

    def succeeded(self, username: str, address: str) -> None:
        self.per_address.give_back(address)
        with self._lock:
            self._failures.pop((username, address), None)

    def _prune(self, now: float) -> None:
        for key in [k for k, v in self._failures.items() if now - v.last > self.FORGET_AFTER_S]:
            del self._failures[key]
