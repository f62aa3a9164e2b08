"""The idle rule: quiet for a while → a warning with a countdown → the visit ends.

Pure logic on a monotonic clock; the app ticks it and turns its answers into screens.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

IdleState = Literal["active", "warning", "expired"]


@dataclass(frozen=True)
class IdleTimeouts:
    idle_s: float = 60.0
    warning_s: float = 20.0

    def __post_init__(self) -> None:
        if self.idle_s <= 0 or self.warning_s <= 0:
            raise ValueError("idle timeouts must be positive")

    def scaled(self, factor: float) -> IdleTimeouts:
        return IdleTimeouts(self.idle_s * factor, self.warning_s * factor)


class IdleTimer:
    """Tracks the last touch. ``state()`` says where the visit stands; elderly mode doubles both."""

    ELDERLY_FACTOR = 2.0

    def __init__(
        self, timeouts: IdleTimeouts, clock: Callable[[], float] = time.monotonic, *, elderly: bool = False
    ) -> None:
        self.base = timeouts
        self.clock = clock
        self.elderly = elderly
        self.enabled = False
        self._last = clock()

    @property
    def timeouts(self) -> IdleTimeouts:
        return self.base.scaled(self.ELDERLY_FACTOR) if self.elderly else self.base

    def start(self) -> None:
        self.enabled = True
        self._last = self.clock()

    def stop(self) -> None:
        self.enabled = False

    def touch(self) -> None:
        """The citizen did something (or asked for more time)."""
        self._last = self.clock()

    def idle_for(self) -> float:
        return max(0.0, self.clock() - self._last)

    def state(self) -> IdleState:
        if not self.enabled:
            return "active"
        idle = self.idle_for()
        limits = self.timeouts
        if idle < limits.idle_s:
            return "active"
        if idle < limits.idle_s + limits.warning_s:
            return "warning"
        return "expired"

    def seconds_left(self) -> float:
        """Seconds until the visit ends (the warning's countdown)."""
        limits = self.timeouts
        return max(0.0, limits.idle_s + limits.warning_s - self.idle_for())
