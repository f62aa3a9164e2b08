"""Administration of staff accounts: list, add, change role, disable or enable, set a new password. A
change that ends an account's sessions also closes its live sockets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from hall_server.state.hall_state import HallState
from hall_server.store import access, identities
from hall_server.store.identities import ROLES, IdentityError
from hall_server.usecases.admin_change import actor_of, audited
from hall_server.usecases.caller import Caller
from hall_server.usecases.refusal import Refusal


def staff_listing(hall: HallState) -> dict[str, Any]:
    with hall.db.read() as conn:
        accounts = access.list_staff(conn)
    return {"roles": list(ROLES), "staff": [
        {"username": a.username, "role": a.role, "display_name": a.display_name,
         "created_at": a.created_at.isoformat(), "disabled": a.disabled_at is not None} for a in accounts]}


def _guarded(work: Callable[[Connection], tuple[None, dict[str, Any]]]
             ) -> Callable[[Connection], tuple[None, dict[str, Any]]]:
    """The store's IdentityError as a Refusal with the same stable code."""
    def change(conn: Connection) -> tuple[None, dict[str, Any]]:
        try:
            return work(conn)
        except IdentityError as exc:
            not_found = 404 if exc.code == "unknown_staff" else None
            raise Refusal(exc.code, str(exc), status_hint=not_found) from exc
    return change


def add_staff(hall: HallState, caller: Caller, username: str, role: str, display_name: str | None,
              password: str) -> dict[str, Any]:
    """A new account; Refusal ``invalid_name``, ``invalid_role``, ``weak_password``, ``staff_exists``."""
    def work(conn: Connection) -> tuple[None, dict[str, Any]]:
        identities.add_staff(conn, username, role, password, hall.now(), display_name=display_name)
        return None, {"role": role, "display_name": display_name or username}

    audited(hall, caller, "staff", "add", username, _guarded(work))
    return _one(hall, username)


def change_staff(hall: HallState, caller: Caller, username: str, role: str | None,
                 disabled: bool | None) -> dict[str, Any]:
    """A new role and/or disabled or enabled. Refusal ``unknown_staff`` (404), ``invalid_role``,
    ``empty_change``, ``own_account`` (an admin cannot demote or disable themself: the hall would keep
    no way back in)."""
    if role is None and disabled is None:
        raise Refusal("empty_change", "name what to change: role or disabled")
    if role is not None and role not in ROLES:
        raise Refusal("invalid_role", f"role must be one of {', '.join(ROLES)}")
    if username == actor_of(caller) and (disabled or (role is not None and role != "admin")):
        raise Refusal("own_account", "an administrator cannot demote or disable their own account")

    def work(conn: Connection) -> tuple[None, dict[str, Any]]:
        now = hall.now()
        before = access.staff_role(conn, username)
        if before is None:
            raise IdentityError("unknown_staff", f"no staff account {username!r}")
        detail: dict[str, Any] = {}
        if role is not None and role != before:
            access.set_role(conn, username, role, now)
            detail["role"] = {"from": before, "to": role}
        if disabled is True:
            access.disable_staff(conn, username, now)
            detail["disabled"] = True
        elif disabled is False:
            access.enable_staff(conn, username, now)
            detail["disabled"] = False
        return None, detail

    audited(hall, caller, "staff", "change", username, _guarded(work))
    hall.access_lost(("staff", username), "account_changed")
    return _one(hall, username)


def reset_password(hall: HallState, caller: Caller, username: str, password: str) -> dict[str, Any]:
    """A new password (told to its owner by the administrator); every session of the account ends.
    Refusal ``unknown_staff`` (404), ``weak_password``. The audit row says that, never the password."""
    def work(conn: Connection) -> tuple[None, dict[str, Any]]:
        access.set_password(conn, username, password, hall.now())
        return None, {}

    audited(hall, caller, "staff", "password", username, _guarded(work))
    hall.access_lost(("staff", username), "account_changed")
    return _one(hall, username)


def _one(hall: HallState, username: str) -> dict[str, Any]:
    found = next(a for a in staff_listing(hall)["staff"] if a["username"] == username)
    return dict(found)
