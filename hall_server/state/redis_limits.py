"""Request limits and sign-in throttles of several nodes, counted in Redis so that a budget spent on one
node is spent on all; each check is one Lua script, atomic, on Redis's own clock (nodes' clocks differ).

The request limit, checked on every request, takes its tokens in leases (``lease_most``): a caller whose
requests come quicker than a node can ask Redis for each gets several tokens in one round trip, spent
here without asking again. Tokens leave the shared bucket as they are leased, so nodes together never let
more through than one bucket would; a lease left unspent goes back with the key's next lease from this
node (or lapses, when the caller is not seen here again, counting as spent requests once).

Redis lost: the in-memory limits these classes extend count for this node alone until it is back.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass

from redis.exceptions import RedisError

from hall_server.config import Settings
from hall_server.state.redis_link import RedisLink
from hall_server.state.request_limits import PRUNE_FLOOR, LoginLimits, RateLimiter, Ticker

# A token bucket: KEYS[1] the bucket; ARGV capacity, refill per second, the tokens wanted (0 to give back
# only), the tokens given back. Answers "<tokens granted> <seconds to wait>" (the wait when none could be
# granted); a string, as a Lua number would come back truncated to an integer.
BUCKET_SCRIPT = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local give = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local held = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(held[1])
local stamp = tonumber(held[2])
if tokens == nil then
  if want < 1 then return '0 0' end
  tokens = capacity
  stamp = now
end
tokens = math.min(capacity, tokens + math.max(0, now - stamp) * rate + give)
local granted = 0
local wait = 0
if want >= 1 then
  granted = math.min(want, math.floor(tokens))
  if granted < 1 then
    granted = 0
    wait = (1 - tokens) / rate
  end
  tokens = tokens - granted
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
return tostring(granted) .. ' ' .. tostring(wait)
"""
# How long a lease's tokens are spent here before they go back (with the key's next lease).
LEASE_S = 1.0


# A pair's failed sign-ins: KEYS[1] the pair; ARGV "wait", "failed" or "succeeded", then free failures,
# base and maximum backoff, forget-after seconds. Returns the seconds the pair must still wait.
FAILURES_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
if ARGV[1] == 'succeeded' then
  redis.call('DEL', KEYS[1])
  return '0'
end
local held = redis.call('HMGET', KEYS[1], 'count', 'last', 'locked')
local count = tonumber(held[1]) or 0
local last = tonumber(held[2]) or now
local locked = tonumber(held[3]) or now
if ARGV[1] == 'wait' then return tostring(math.max(0, locked - now)) end
local free, base, most, forget = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if now - last > forget then
  count = 0
  locked = now
end
count = count + 1
local beyond = count - free
if beyond >= 0 then locked = now + math.min(most, base * 2 ^ math.min(beyond, 30)) end
redis.call('HSET', KEYS[1], 'count', count, 'last', tostring(now), 'locked', tostring(locked))
redis.call('EXPIRE', KEYS[1], math.ceil(forget + most))
return tostring(math.max(0, locked - now))
"""


@dataclass
class _Lease:
    """Tokens of one key leased by this node: ``left`` to spend until ``until``; ``size`` asked next."""

    left: int
    until: float
    size: int


class RedisRateLimiter(RateLimiter):
    """One token bucket per key in Redis (``hall:limit:<name>:<key>``), shared by every node.

    ``acquire`` (the request limit, on the event loop) leases up to ``lease_most`` tokens at once: a key's
    lease doubles each time it is spent within ``LEASE_S`` and starts at one token again otherwise, so a
    caller making a request now and then asks Redis for each as before, and a busy one asks about once
    per ``lease_most`` requests. Requests of a key arriving while its lease is asked for wait for that
    answer rather than ask too. ``take`` and ``give_back`` (sign-ins, verifications: rare) ask every time.
    """

    def __init__(self, link: RedisLink, name: str, capacity: int, refill_per_s: float, *,
                 lease_most: int = 1, ticker: Ticker = time.monotonic) -> None:
        super().__init__(capacity, refill_per_s, ticker)
        self.link = link
        self.name = name
        self.piece = f"rate limits ({name})"
        self.lease_most = max(1, min(lease_most, capacity))
        self._sync_script = link.sync.register_script(BUCKET_SCRIPT)
        self._aio_script = link.aio.register_script(BUCKET_SCRIPT)
        self._leases: dict[str, _Lease] = {}  # on the event loop only, as is ``_asking``
        self._asking: dict[str, asyncio.Future[float | None]] = {}

    def _args(self, want: int, give: int = 0) -> list[str]:
        return [repr(self.capacity), repr(self.refill_per_s), str(want), str(give)]

    def _key(self, key: str) -> str:
        return self.link.key("limit", self.name, key)

    @staticmethod
    def _answer(raw: bytes | str) -> tuple[int, float]:
        granted, wait = (raw.decode() if isinstance(raw, bytes) else raw).split()
        return int(float(granted)), float(wait)

    def take(self, key: str) -> float:
        if self.link.available:
            try:
                granted, wait = self._answer(self._sync_script(keys=[self._key(key)], args=self._args(1)))
            except (RedisError, OSError) as exc:
                self.link.failed(self.piece, exc)
            else:
                self.link.worked(self.piece)
                return 0.0 if granted else wait
        return super().take(key)

    async def acquire(self, key: str) -> float:
        if not self.link.available:
            self._leases.clear()  # counted in memory meanwhile; leases start afresh when Redis is back
            return super().take(key)
        if self.lease_most == 1:
            return await self._lease(key, None)
        while True:
            lease = self._leases.get(key)
            if lease is not None and lease.left and self._ticker() < lease.until:
                lease.left -= 1
                return 0.0
            asking = self._asking.get(key)
            if asking is None:
                break
            # Another request of this key is asking: its answer serves this one too, or says to wait.
            wait = await asyncio.shield(asking)
            if wait:
                return wait
        asking = asyncio.get_running_loop().create_future()
        self._asking[key] = asking
        wait = None
        try:
            wait = await self._lease(key, lease)
        finally:
            del self._asking[key]
            asking.set_result(wait or None)
        return wait

    async def _lease(self, key: str, spent: _Lease | None) -> float:
        """Ask Redis for a lease of ``key`` (after ``spent``, the last one): one token taken here, the rest
        kept; the seconds to wait when none is left."""
        now = self._ticker()
        size, give = 1, 0
        if spent is not None:
            if spent.left:
                give = spent.left  # lapsed unspent: back to the bucket, and this caller is not busy here
            elif now < spent.until:
                size = min(self.lease_most, spent.size * 2)
        try:
            answer = await self._aio_script(keys=[self._key(key)], args=self._args(size, give))
            granted, wait = self._answer(answer)
        except (RedisError, OSError) as exc:
            self.link.failed(self.piece, exc)
            self._leases.pop(key, None)
            return super().take(key)
        self.link.worked(self.piece)
        if not granted:
            self._leases.pop(key, None)
            return wait
        if self.lease_most > 1:
            if len(self._leases) >= PRUNE_FLOOR:
                self._prune_leases(now)
            self._leases[key] = _Lease(granted - 1, self._ticker() + LEASE_S, size)
        return 0.0

    def _prune_leases(self, now: float) -> None:
        for key in [key for key, lease in self._leases.items() if lease.until <= now]:
            del self._leases[key]

    def give_back(self, key: str) -> None:
        if self.link.available:
            try:
                self._sync_script(keys=[self._key(key)], args=self._args(0, 1))
            except (RedisError, OSError) as exc:
                self.link.failed(self.piece, exc)
            else:
                return
        super().give_back(key)


class RedisLoginLimits(LoginLimits):
    """Failed sign-ins counted in Redis per account and address (``hall:login:<digest>``) and per address
    across accounts, so that guessing spread over nodes is throttled as on one."""

    PIECE = "sign-in throttles"

    def __init__(self, link: RedisLink, settings: Settings) -> None:
        super().__init__(settings)
        self.link = link
        refill = 1.0 / min(settings.login_failure_refill_s, settings.login_max_backoff_s)
        self.per_address = RedisRateLimiter(link, "login-address", settings.login_failures_per_address,
                                            refill)
        self._script = link.sync.register_script(FAILURES_SCRIPT)

    def _key(self, username: str, address: str) -> str:
        # Account names and addresses stay out of Redis's key space listings.
        return self.link.key("login", hashlib.sha256(f"{username}\x1f{address}".encode()).hexdigest())

    def _run(self, op: str, username: str, address: str) -> float | None:
        """The script's answer, or None when Redis is out (the caller counts in memory then)."""
        if not self.link.available:
            return None
        args = [op, str(self.free_failures), repr(self.base_s), repr(self.max_s), repr(self.FORGET_AFTER_S)]
        try:
            answer = float(self._script(keys=[self._key(username, address)], args=args))
        except (RedisError, OSError) as exc:
            self.link.failed(self.PIECE, exc)
            return None
        self.link.worked(self.PIECE)
        return answer

    def wait_s(self, username: str, address: str) -> float:
        shared = self._run("wait", username, address)
        return super().wait_s(username, address) if shared is None else shared

    def failed(self, username: str, address: str) -> None:
        if self._run("failed", username, address) is None:
            super().failed(username, address)

    def succeeded(self, username: str, address: str) -> None:
        self._run("succeeded", username, address)
        super().succeeded(username, address)
