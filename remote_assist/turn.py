"""ICE servers handed to both ends of a call, with temporary TURN credentials (coturn REST form).

The username is ``<expiry unix time>:<peer>`` and the password base64(HMAC-SHA1(secret,
username)), which coturn checks with ``use-auth-secret``/``static-auth-secret``. Servers come
from configuration only: there is no public STUN default.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TurnCredentials:
    username: str
    password: str
    expires_at: int


def turn_credentials(secret: str, peer: str, now_unix: float, ttl_s: int = 3600) -> TurnCredentials:
    """Credentials valid until ``now + ttl_s`` for ``peer`` (a kiosk name or staff username)."""
    if not secret:
        raise ValueError("a TURN secret is required")
    if ttl_s <= 0:
        raise ValueError("ttl_s must be positive")
    expires = int(now_unix) + ttl_s
    username = f"{expires}:{peer}"
    digest = hmac.new(secret.encode("utf-8"), username.encode("utf-8"), hashlib.sha1).digest()
    return TurnCredentials(username, base64.b64encode(digest).decode("ascii"), expires)


@dataclass(frozen=True)
class IceConfig:
    """``urls``: ``stun:`` and ``turn:``/``turns:`` URLs; TURN ones get credentials when a secret is set."""

    urls: tuple[str, ...] = ()
    turn_secret: str | None = None
    turn_ttl_s: int = 3600

    def __post_init__(self) -> None:
        for url in self.urls:
            if not url.startswith(("stun:", "turn:", "turns:")):
                raise ValueError(f"ICE server URL must start with stun:, turn: or turns: ({url!r})")
        if self.turn_ttl_s <= 0:
            raise ValueError("turn_ttl_s must be positive")

    def servers_for(self, peer: str, now_unix: float) -> list[dict[str, Any]]:
        """The ``ice_servers`` list of an ``accepted`` message, in RTCIceServer's JSON form."""
        servers: list[dict[str, Any]] = []
        stun = [u for u in self.urls if u.startswith("stun:")]
        turn = [u for u in self.urls if not u.startswith("stun:")]
        if stun:
            servers.append({"urls": stun})
        if turn:
            entry: dict[str, Any] = {"urls": turn}
            if self.turn_secret:
                creds = turn_credentials(self.turn_secret, peer, now_unix, self.turn_ttl_s)
                entry["username"], entry["credential"] = creds.username, creds.password
            servers.append(entry)
        return servers
