"""What every driver reports about itself (health: ok, degraded with a reason, offline), and how it
retries a device that went away (ReconnectPolicy, Reconnector).

The kiosk shows it on the maintenance screen and sends it in the heartbeat; the reason is a
stable code (``paper_near_end``, ``device_not_found``, …) that the UI maps to localized text.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from terminal_drivers.errors import DeviceError

HealthState = Literal["ok", "degraded", "offline"]


@dataclass(frozen=True)
class Health:
    state: HealthState
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.state not in ("ok", "degraded", "offline"):
            raise ValueError(f"unknown health state {self.state!r}")
        if self.state != "ok" and not self.reason:
            raise ValueError("a degraded or offline device needs a reason code")

    @classmethod
    def ok(cls) -> Health:
        return cls("ok")

    @classmethod
    def degraded(cls, reason: str) -> Health:
        return cls("degraded", reason)

    @classmethod
    def offline(cls, reason: str) -> Health:
        return cls("offline", reason)

    def as_json(self) -> dict[str, str | None]:
        """The heartbeat's form: ``{"state": "degraded", "reason": "paper_near_end"}``."""
        return {"state": self.state, "reason": self.reason}


@dataclass(frozen=True)
class ReconnectPolicy:
    """When a driver tries a vanished device again: ``initial_s``, then ×``factor`` up to ``max_s``.

    A re-plugged USB serial adapter reappears within a second or two, so the first retries are
    quick; a device that stays away is tried every ``max_s`` without flooding the log.
    """

    initial_s: float = 0.5
    max_s: float = 10.0
    factor: float = 2.0

    def __post_init__(self) -> None:
        if not 0 < self.initial_s <= self.max_s:
            raise ValueError("need 0 < initial_s <= max_s")
        if not self.factor >= 1:
            raise ValueError("factor must be at least 1")

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1 for the first retry)."""
        if attempt < 1:
            return 0.0
        # Capped exponent: 2.0 ** 1000 would overflow a float.
        return min(self.max_s, self.initial_s * self.factor ** min(attempt - 1, 64))


class Reconnector:
    """One device's failures: the health to report, and when the next attempt to reopen is due.

    A driver calls ``failed(error)`` when an operation raises a connection error,
    ``due()`` before trying ``reopen()``, and ``succeeded()`` once it works again. ``clock`` is
    injectable so tests need no sleeps.
    """

    def __init__(
        self, policy: ReconnectPolicy | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.policy = policy or ReconnectPolicy()
        self._clock = clock
        self.failures = 0
        self.next_attempt_at: float | None = None
        self.health = Health.ok()

    def failed(self, error: DeviceError) -> Health:
        self.failures += 1
        self.next_attempt_at = self._clock() + self.policy.delay(self.failures)
        self.health = Health.offline(error.code)
        return self.health

    def succeeded(self) -> None:
        self.failures = 0
        self.next_attempt_at = None
        self.health = Health.ok()

    def due(self) -> bool:
        return self.next_attempt_at is None or self._clock() >= self.next_attempt_at

    def seconds_until_due(self) -> float:
        return 0.0 if self.next_attempt_at is None else max(0.0, self.next_attempt_at - self._clock())
