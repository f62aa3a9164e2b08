"""The pieces of a hall's state that several nodes must share, each chosen once at start (by the hall
state): in this process's memory (one node, here), or through Redis (``serve --redis``, DESIGN §4.9, in
``redis_pieces``). Nothing else knows which.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from hall_server.config import Settings
from hall_server.state.access_news import AccessNews
from hall_server.state.floor_bus import FloorBus
from hall_server.state.request_limits import LoginLimits, RateLimiter, Ticker


@dataclass
class NodePieces:
    """The floor bus, the request limits, the sign-in throttles and the access news of one node."""

    floor: FloorBus
    request_limits: RateLimiter
    login_limits: LoginLimits
    access_news: AccessNews
    shared: bool = False

    def rate_limiter(self, name: str, capacity: int, refill_per_s: float) -> RateLimiter:
        """Another per-caller limit (``name`` tells it apart from the others in a shared store)."""
        return RateLimiter(capacity, refill_per_s)

    async def start(self) -> None:
        """On the server's event loop, before it serves: shared pieces subscribe here."""
        await self.floor.start()
        await self.access_news.start()

    async def close(self) -> None:
        await self.access_news.close()
        await self.floor.close()


def memory_pieces(settings: Settings, ticker: Ticker = time.monotonic) -> NodePieces:
    """One node's pieces, in this process's memory."""
    return NodePieces(
        floor=FloorBus(),
        request_limits=RateLimiter(settings.rate_limit_burst, settings.rate_limit_per_s, ticker),
        login_limits=LoginLimits(settings, ticker),
        access_news=AccessNews(),
    )
