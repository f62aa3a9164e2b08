"""Staff sign-in and sign-out: ``POST /auth/login`` and ``POST /auth/logout``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from hall_server.api.auth import ANY_STAFF, Caller, bearer_token, hall_of
from hall_server.api.errors import ApiError
from hall_server.api.fields import Text
from hall_server.store import identities

router = APIRouter(tags=["auth"])


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Text = Field(min_length=1, max_length=64)
    password: Text = Field(min_length=1, max_length=200)


@router.post("/auth/login")
def login(body: LoginBody, request: Request) -> dict[str, Any]:
    """Exchange a username and password for a session token (public; failed attempts are limited)."""
    hall = hall_of(request)
    address = request.client.host if request.client else "unknown"
    limits = hall.login_limits if hall.settings.rate_limit_enabled else None
    if limits is not None:
        limits.begin(body.username, address)
    now = hall.now()
    with hall.db.write() as conn:
        session = identities.login(conn, body.username, body.password, now, hall.staff_session_ttl())
    if session is None:
        raise ApiError(401, "invalid_credentials", "unknown username or wrong password")
    if limits is not None:
        limits.succeeded(body.username, address)
    who = session.identity
    return {"token": session.token, "role": who.role, "username": who.username,
            "display_name": who.display_name, "expires_at": session.expires_at.isoformat()}


@router.post("/auth/logout")
def logout(request: Request, caller: Caller = Depends(ANY_STAFF)) -> dict[str, Any]:
    hall = hall_of(request)
    token = bearer_token(request)
    assert token is not None
    with hall.db.write() as conn:
        identities.logout(conn, token)
    hall.forget_staff_token(token)
    return {"ok": True}
