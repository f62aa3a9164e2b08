"""What the kiosk does while the hall server cannot be reached: keep the action's idempotency key,
try again on a timer, and carry on by itself when the server answers again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from kiosk.hall_client import HallError, HallUnreachable, new_idempotency_key

log = logging.getLogger(__name__)

T = TypeVar("T")


class ActionKeys:
    """One idempotency key per citizen action, kept until the hall has answered it.

    An action is identified by what it asks for (e.g. ``("ticket", "SB-001", None)``): asking again
    for the same thing after a lost reply reuses the key, so the server returns the first result
    instead of making a second ticket.
    """

    def __init__(self) -> None:
        self._keys: dict[Hashable, str] = {}

    def key_for(self, action: Hashable) -> str:
        if action not in self._keys:
            self._keys[action] = new_idempotency_key()
        return self._keys[action]

    def done(self, action: Hashable) -> None:
        self._keys.pop(action, None)

    def pending(self) -> list[Hashable]:
        return list(self._keys)

    def clear(self) -> None:
        self._keys.clear()


async def keyed(keys: ActionKeys, action: Hashable, send: Callable[[str], Awaitable[T]]) -> T:
    """Send ``action`` with its idempotency key and settle the key by the answer.

    Unreachable: the key is kept, so the next try of the same action is the same request. Any
    answer, result or refusal: the key is done (a later try, e.g. check-in once its window has
    opened, is a new request and must not be answered from the first one).
    """
    try:
        result = await send(keys.key_for(action))
    except HallUnreachable:
        raise
    except HallError:
        keys.done(action)
        raise
    keys.done(action)
    return result


async def retry_until_reachable(
    call: Callable[[], Awaitable[T]],
    *,
    interval_s: float = 5.0,
    max_attempts: int | None = None,
    on_unreachable: Callable[[int], None] | None = None,
) -> T:
    """Await ``call`` until the hall answers; other hall errors pass through unchanged.

    ``call`` must carry its own idempotency key so that every attempt is the same request.
    ``on_unreachable(attempt)`` lets the screen say "no connection, trying again".
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return await call()
        except HallUnreachable:
            if on_unreachable is not None:
                on_unreachable(attempt)
            if max_attempts is not None and attempt >= max_attempts:
                raise
            log.info("hall unreachable (attempt %d); retrying in %.1f s", attempt, interval_s)
            await asyncio.sleep(interval_s)
