"""The shared pieces of a node that runs with ``--redis``: every one over the same Redis link."""

from __future__ import annotations

from dataclasses import dataclass

from hall_server.config import Settings
from hall_server.state.node_pieces import NodePieces
from hall_server.state.redis_access_news import RedisAccessNews
from hall_server.state.redis_floor_bus import RedisFloorBus
from hall_server.state.redis_limits import RedisLoginLimits, RedisRateLimiter
from hall_server.state.redis_link import RedisLink
from hall_server.state.request_limits import RateLimiter

# The request limit's largest lease: a sixteenth of the burst, 64 at most. What a node holds leased and
# unspent for a caller (one lease, a second at most) is out of the caller's reach on the other nodes, so
# a caller at its limit may be refused on one node a little early; one far below it never notices.
LEASE_SHARE = 16
LEASE_MOST = 64


@dataclass
class RedisPieces(NodePieces):
    link: RedisLink | None = None

    def rate_limiter(self, name: str, capacity: int, refill_per_s: float) -> RateLimiter:
        assert self.link is not None
        return RedisRateLimiter(self.link, name, capacity, refill_per_s)

    async def close(self) -> None:
        await super().close()
        if self.link is not None:
            await self.link.close()


def redis_pieces(settings: Settings, url: str) -> RedisPieces:
    """The pieces over Redis at ``url``; ConfigError ``redis_unreachable`` when it does not answer."""
    link = RedisLink(url)
    link.check()
    return RedisPieces(
        floor=RedisFloorBus(link),
        request_limits=RedisRateLimiter(
            link, "requests", settings.rate_limit_burst, settings.rate_limit_per_s,
            lease_most=min(LEASE_MOST, settings.rate_limit_burst // LEASE_SHARE)),
        login_limits=RedisLoginLimits(link, settings),
        access_news=RedisAccessNews(link),
        shared=True,
        link=link,
    )
