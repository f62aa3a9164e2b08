"""Who is calling: kiosk bearer tokens and staff session tokens, checked by a dependency on every route."""

from __future__ import annotations

import anyio.to_thread
from fastapi import Request

from hall_server.state.hall_state import HallState
from hall_server.usecases.caller import Caller
from hall_server.usecases.refusal import Refusal

__all__ = ["ADMIN", "ANY_STAFF", "COUNTER", "KIOSK_ONLY", "KIOSK_OR_STAFF", "MANAGER", "PAD", "TECHNICIAN",
           "Caller", "Require", "bearer_token", "hall_of"]


def hall_of(request: Request) -> HallState:
    hall = request.app.state.hall
    assert isinstance(hall, HallState)
    return hall


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class Require:
    """A dependency naming who may call a route: kiosks and/or staff roles (admin may always), or one kind of
    floor device (its own routes: not even admin speaks for a citizen at a window's rating pad)."""

    def __init__(self, *roles: str, kiosk: bool = False, device: str | None = None) -> None:
        self.roles = frozenset(roles) | ({"admin"} if device is None else frozenset())
        self.kiosk = kiosk
        self.device = device

    async def __call__(self, request: Request) -> Caller:
        token = bearer_token(request)
        if token is None:
            raise Refusal("unauthorized", "a bearer token is required")
        hall = hall_of(request)
        known = hall.cached_identity(token)
        if known is None:
            known = await anyio.to_thread.run_sync(hall.identity_for_token, token)
        caller = Caller.authorized(known, self.roles, self.kiosk, self.device)
        if caller.kiosk is not None:
            hall.access.note_kiosk_use(caller.kiosk.name, hall.now())
        return caller


KIOSK_OR_STAFF = Require("counter", "agent", "technician", kiosk=True)
ANY_STAFF = Require("counter", "agent", "technician")
COUNTER = Require("counter")
TECHNICIAN = Require("technician")
MANAGER = Require("manager")
ADMIN = Require()
KIOSK_ONLY = Require(kiosk=True)
PAD = Require(device="pad")
