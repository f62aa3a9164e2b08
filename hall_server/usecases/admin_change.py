"""What every administration change shares: one transaction for the change and its audit row, and the
name of the staff member who made it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection

from hall_server.state.hall_state import HallState
from hall_server.store import audit
from hall_server.usecases.caller import Caller

T = TypeVar("T")


def actor_of(caller: Caller) -> str:
    assert caller.staff is not None, "administration routes are for staff"
    return caller.staff.username


def audited(hall: HallState, caller: Caller, area: str, action: str, target: str,
            change: Callable[[Connection], tuple[T, dict[str, Any]]]) -> T:
    """Run ``change`` and write its audit row in the same transaction: a refused change leaves neither.

    ``change`` answers its result and the audit row's detail (what was changed to what; never a secret)."""
    with hall.db.write() as conn:
        result, detail = change(conn)
        audit.log_admin(conn, hall.now(), actor_of(caller), area, action, target, detail)
    hall.overrides.invalidate()
    return result
