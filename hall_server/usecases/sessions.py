"""Staff sign-in (limited against password guessing) and sign-out."""

from __future__ import annotations

from typing import Any

from hall_server.state.hall_state import HallState
from hall_server.store import identities
from hall_server.usecases.refusal import Refusal


def login(hall: HallState, username: str, password: str, address: str) -> dict[str, Any]:
    """A session token for a username and password; refused invalid_credentials or rate_limited."""
    limits = hall.login_limits if hall.settings.rate_limit_enabled else None
    if limits is not None:
        limits.begin(username, address)
    now = hall.now()
    with hall.db.write() as conn:
        session = identities.login(conn, username, password, now, hall.staff_session_ttl())
    if session is None:
        if limits is not None:
            limits.failed(username, address)
        raise Refusal("invalid_credentials", "unknown username or wrong password")
    if limits is not None:
        limits.succeeded(username, address)
    who = session.identity
    return {"token": session.token, "role": who.role, "username": who.username,
            "display_name": who.display_name, "expires_at": session.expires_at.isoformat()}


def logout(hall: HallState, token: str) -> dict[str, Any]:
    """End the session; the account's signaling socket closes with it."""
    who = hall.staff_for_token(token)
    with hall.db.write() as conn:
        identities.logout(conn, token)
    hall.session_ended(token, who)
    return {"ok": True}
