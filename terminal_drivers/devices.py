"""What every driver reports about itself: health (ok, degraded with a reason, offline).

The kiosk shows it on the maintenance screen and sends it in the heartbeat; the reason is a
stable code (``paper_near_end``, ``device_not_found``, …) that the UI maps to localized text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
