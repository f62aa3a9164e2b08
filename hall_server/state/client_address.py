"""The address a request really came from: the peer, or X-Forwarded-For when the peer is a trusted proxy."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ClientAddress:
    """Believes X-Forwarded-For only from the proxies it is given (``--trusted-proxy``; none by default).

    The header is read from the right: each trusted proxy appends the address it saw, so the first
    untrusted address from the right is the client; anything left of it was written by the client.
    """

    def __init__(self, trusted: Iterable[str] = ()) -> None:
        self.trusted: tuple[Network, ...] = tuple(ipaddress.ip_network(c, strict=False) for c in trusted)

    def is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def of(self, scope: Mapping[str, Any]) -> str:
        """The client of an ASGI scope."""
        client = scope.get("client")
        peer = str(client[0]) if client else "unknown"
        if not self.trusted or not self.is_trusted(peer):
            return peer
        forwarded: list[str] = []
        for name, value in scope.get("headers", ()):
            if name == b"x-forwarded-for":
                forwarded += [part.strip() for part in value.decode("latin-1").split(",") if part.strip()]
        for address in reversed(forwarded):
            if not self.is_trusted(address):
                return address if _is_ip(address) else peer
        return forwarded[0] if forwarded and _is_ip(forwarded[0]) else peer


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
