"""The kiosk's heartbeat to the hall: every 30 s, quicker retries while the hall is unreachable.

Failures are quiet (logged at info) and only flip the kiosk's "hall online" state.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Heartbeat:
    """Calls ``send()`` every ``interval_s``; after a failure every ``retry_s`` until it works.

    ``on_state(True|False)`` reports whether the hall answered. ``kick()`` beats at once.
    """

    def __init__(
        self,
        send: Callable[[], Awaitable[object]],
        *,
        interval_s: float = 30.0,
        retry_s: float = 5.0,
        on_state: Callable[[bool], None] | None = None,
    ) -> None:
        if interval_s <= 0 or retry_s <= 0:
            raise ValueError("heartbeat intervals must be positive")
        self.send = send
        self.interval_s = interval_s
        self.retry_s = retry_s
        self.on_state = on_state
        self.online: bool | None = None
        self.beats = 0
        self.failures = 0
        self._wake = asyncio.Event()
        self._stopped = False

    async def beat_once(self) -> bool:
        # Only "cannot reach it" counts as offline; a refusal (HallError) still proves it is there.
        from kiosk.hall_client import HallError, HallUnreachable

        try:
            await self.send()
            ok = True
        except HallUnreachable as exc:
            log.info("heartbeat: hall unreachable (%s)", exc)
            ok = False
        except HallError as exc:
            log.warning("heartbeat refused: %s", exc.code)
            ok = True
        except OSError as exc:
            log.info("heartbeat: %s", type(exc).__name__)
            ok = False
        if ok:
            self.beats += 1
        else:
            self.failures += 1
        self.online = ok
        if self.on_state is not None:
            self.on_state(ok)
        return ok

    async def run(self) -> None:
        while not self._stopped:
            ok = await self.beat_once()
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.interval_s if ok else self.retry_s)
            except TimeoutError:
                pass

    def kick(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()
