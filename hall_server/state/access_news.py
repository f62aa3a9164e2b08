"""Word to the other nodes that a party's access ended on this one (a sign-out), so that its cached
token stops working there too. One node has nobody to tell; several share it through Redis
(``redis_access_news``). Revocations written to the database (commands) every node finds by itself."""

from __future__ import annotations

from collections.abc import Callable

from hall_server.state.access_watch import Party

# What a node does with the word: forget the token digest (None: every cached token of the party) and
# close the party's live connections with the reason.
Heard = Callable[[Party, str, str | None], None]


def _nothing_heard(_party: Party, _reason: str, _digest: str | None) -> None:
    return None


def _no_gap() -> None:
    return None


class AccessNews:
    """Tells other nodes; ``heard`` and ``gap`` (word may have been missed: forget every cached token)
    are set by the hall state."""

    def __init__(self) -> None:
        self.heard: Heard = _nothing_heard
        self.gap: Callable[[], None] = _no_gap

    async def start(self) -> None:
        """Called on the server's event loop before it serves."""

    async def close(self) -> None:
        """Called when the server stops."""

    def tell(self, party: Party, reason: str, digest: str | None) -> None:
        """Say that ``party``'s access ended here (``digest``: the one token that ended)."""
