"""An ASGI guard counting each HTTP request against its caller's token bucket; over the limit: 429."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from hall_server.api.errors import refusal_response
from hall_server.state.client_address import ClientAddress
from hall_server.state.request_limits import RateLimiter, rate_limited
from hall_server.store.credentials import token_digest


class RateLimitMiddleware:
    """Counts each HTTP request against its caller: a known kiosk or staff token, else the client address.

    A token is counted as itself only once the server knows it (the identity cache), so made-up tokens
    cannot each get a fresh bucket: they count against their address.
    """

    def __init__(self, app: ASGIApp, limiter: RateLimiter, is_known_token: Callable[[str], bool],
                 addresses: ClientAddress | None = None) -> None:
        self.app = app
        self.limiter = limiter
        self.is_known_token = is_known_token
        self.addresses = addresses or ClientAddress()

    def caller_key(self, scope: Scope) -> str:
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                token = token.strip()
                if scheme.lower() == "bearer" and token and self.is_known_token(token):
                    return f"token:{token_digest(token)}"
                break
        return f"address:{self.addresses.of(scope)}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wait_s = await self.limiter.acquire(self.caller_key(scope))
        if wait_s:
            await refusal_response(rate_limited(wait_s, "requests"))(scope, receive, send)
            return
        await self.app(scope, receive, send)
