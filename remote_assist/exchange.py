"""Where the relay's routing state lives and how its messages reach sockets: one node, or several.

``CallExchange`` is what ``SignalingHub`` drives. ``LocalExchange`` keeps the routing in this
process (one node, the embedded default); ``redis_exchange.RedisExchange`` shares it between nodes.
A change is a function over an ``InMemoryRouting`` and the routing clock: the exchange runs it
atomically and hands each resulting message to the node holding its endpoint's socket.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol, TypeVar

from remote_assist.routing import Call, Endpoint, InMemoryRouting, Outbound, RoutingStatus

T = TypeVar("T")
Change = Callable[[InMemoryRouting, float], tuple[T, list[Outbound]]]
# Called on this node for each message whose endpoint's socket is here.
Deliver = Callable[[Outbound], None]
# Called on this node when the endpoint's socket signed in again on another node.
Replaced = Callable[[Endpoint], Awaitable[None]]
# Called on exactly one node for a caller whose node went away and who never came back to its place.
Abandoned = Callable[[Call], None]

# Reasons a call carries when the node of one side went away (stable, see call_end).
NODE_LOST = "node_lost"  # to the agent: the kiosk's node went away
STAFF_NODE_LOST = "staff_node_lost"  # to the kiosk: the agent's node went away
KIOSK_MOVED = "kiosk_moved"  # to the agent: the caller came back through another node


class CallExchange(Protocol):
    """The routing state and the delivery of its messages, for one node of the hall."""

    node: str

    @property
    def routing(self) -> InMemoryRouting:
        """A routing of this node's settings (the whole state only for ``LocalExchange``)."""
        ...

    async def start(
        self, deliver: Deliver, replaced: Replaced, abandoned: Abandoned | None = None
    ) -> None: ...
    async def close(self) -> None: ...
    async def attach(self, endpoint: Endpoint) -> None:
        """This node now holds ``endpoint``'s socket (a socket elsewhere is told it was replaced)."""
        ...
    async def detach(self, endpoint: Endpoint) -> bool:
        """This node's socket for ``endpoint`` went; False when another node holds it by now."""
        ...
    async def change(self, change: Change[T]) -> T:
        """Run ``change`` atomically over the routing state; deliver the messages it returns."""
        ...
    async def tick(self, next_open: Callable[[str], datetime | None]) -> None:
        """Ring timeouts, wait limits, lost nodes: due work of the whole hall."""
        ...
    async def status(self, site: str | None = None) -> RoutingStatus: ...
    def cached_status(self, site: str | None = None) -> RoutingStatus: ...


class LocalExchange:
    """One node: the routing in this process, every message delivered here."""

    def __init__(self, routing: InMemoryRouting, clock: Callable[[], float]) -> None:
        self.node = routing.node
        self._routing = routing
        self._clock = clock
        self._deliver: Deliver = lambda item: None

    @property
    def routing(self) -> InMemoryRouting:
        return self._routing

    async def start(self, deliver: Deliver, replaced: Replaced, abandoned: Abandoned | None = None) -> None:
        # One node: no caller is ever left behind by a node that went away.
        self._deliver = deliver

    async def close(self) -> None:
        return None

    async def attach(self, endpoint: Endpoint) -> None:
        return None

    async def detach(self, endpoint: Endpoint) -> bool:
        return True

    async def change(self, change: Change[T]) -> T:
        result, out = change(self._routing, self._clock())
        for item in out:
            self._deliver(item)
        return result

    async def tick(self, next_open: Callable[[str], datetime | None]) -> None:
        for item in self._routing.tick(self._clock(), next_open):
            self._deliver(item)

    async def status(self, site: str | None = None) -> RoutingStatus:
        return self._routing.status(site)

    def cached_status(self, site: str | None = None) -> RoutingStatus:
        return self._routing.status(site)
