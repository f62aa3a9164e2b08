"""Request limits and sign-in throttles of several nodes, counted in Redis so that a budget spent on one
node is spent on all; each check is one Lua script, atomic, on Redis's own clock (nodes' clocks differ).

Redis lost: the in-memory limits these classes extend count for this node alone until it is back.
"""

from __future__ import annotations

import hashlib

from redis.exceptions import RedisError

from hall_server.config import Settings
from hall_server.state.redis_link import RedisLink
from hall_server.state.request_limits import LoginLimits, RateLimiter

# A token bucket: KEYS[1] the bucket; ARGV capacity, refill per second, "take" or "give".
# Returns the seconds to wait as a string (a Lua number would come back truncated to an integer).
BUCKET_SCRIPT = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local held = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(held[1])
local stamp = tonumber(held[2])
if tokens == nil then
  if ARGV[3] ~= 'take' then return '0' end
  tokens = capacity
  stamp = now
end
tokens = math.min(capacity, tokens + math.max(0, now - stamp) * rate)
local wait = 0
if ARGV[3] == 'take' then
  if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
else
  tokens = math.min(capacity, tokens + 1)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
return tostring(wait)
"""

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


class RedisRateLimiter(RateLimiter):
    """One token bucket per key in Redis (``hall:limit:<name>:<key>``), shared by every node."""

    def __init__(self, link: RedisLink, name: str, capacity: int, refill_per_s: float) -> None:
        super().__init__(capacity, refill_per_s)
        self.link = link
        self.name = name
        self.piece = f"rate limits ({name})"
        self._sync_script = link.sync.register_script(BUCKET_SCRIPT)
        self._aio_script = link.aio.register_script(BUCKET_SCRIPT)

    def _args(self, op: str) -> list[str]:
        return [repr(self.capacity), repr(self.refill_per_s), op]

    def _key(self, key: str) -> str:
        return self.link.key("limit", self.name, key)

    def take(self, key: str) -> float:
        if self.link.available:
            try:
                wait = float(self._sync_script(keys=[self._key(key)], args=self._args("take")))
            except (RedisError, OSError) as exc:
                self.link.failed(self.piece, exc)
            else:
                self.link.worked(self.piece)
                return wait
        return super().take(key)

    async def acquire(self, key: str) -> float:
        if self.link.available:
            try:
                wait = float(await self._aio_script(keys=[self._key(key)], args=self._args("take")))
            except (RedisError, OSError) as exc:
                self.link.failed(self.piece, exc)
            else:
                self.link.worked(self.piece)
                return wait
        return super().take(key)

    def give_back(self, key: str) -> None:
        if self.link.available:
            try:
                self._sync_script(keys=[self._key(key)], args=self._args("give"))
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
