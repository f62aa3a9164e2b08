"""Staff sign-in and sign-out routes: ``POST /auth/login`` and ``POST /auth/logout``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from hall_server.api.auth import ANY_STAFF, Caller, bearer_token, hall_of
from hall_server.api.fields import Text
from hall_server.usecases import sessions

router = APIRouter(tags=["auth"])


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Text = Field(min_length=1, max_length=64)
    password: Text = Field(min_length=1, max_length=200)


@router.post("/auth/login")
def login(body: LoginBody, request: Request) -> dict[str, Any]:
    """Exchange a username and password for a session token (public; failed attempts are limited)."""
    hall = hall_of(request)
    return sessions.login(hall, body.username, body.password, hall.addresses.of(request.scope))


@router.post("/auth/logout")
def logout(request: Request, caller: Caller = Depends(ANY_STAFF)) -> dict[str, Any]:
    token = bearer_token(request)
    assert token is not None
    return sessions.logout(hall_of(request), token)
