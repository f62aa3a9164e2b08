"""The definitions of the hall's figures (docs/statistics.md), as pure functions over durations and counts.

percentile(values, p) -> float | None   nearest rank: the smallest value with at least p % at or below it
share(part, whole) -> float | None       part / whole rounded to 4 places; None when whole is 0
mean(values) -> float | None
TicketSpan                               one ticket's times (seconds since the epoch) and its wait/service
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

SATISFIED_LEVELS = (4, 5)  # 满意, 非常满意: the satisfaction share counts these among all reviews
ASSIST_ANSWER_TARGET_S = 60  # a video-help call answered within this is answered in time


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (no interpolation, so every figure is a value that happened)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def rounded(value: float | None) -> int | None:
    """Durations are answered in whole seconds."""
    return None if value is None else round(value)


@dataclass(frozen=True)
class TicketSpan:
    """One ticket's transitions as the events give them (epoch seconds, None when it did not happen)."""

    ticket: str
    queue: str
    issued: float | None
    origin: str | None  # walk_in, booking (checked in) or transfer (into this queue)
    first_call: float | None
    started: float | None
    completed: float | None
    no_show: bool
    transferred: bool
    window: str | None = None
    clerk: str | None = None
    finished: float | None = None  # completed, no-show or transferred

    @property
    def wait_s(self) -> float | None:
        """First call − issue (a booking's ticket is issued at check-in, so: first call − check-in)."""
        if self.issued is None or self.first_call is None:
            return None
        return max(0.0, self.first_call - self.issued)

    @property
    def busy_s(self) -> float | None:
        """How long the ticket held its window: first call to completion, no-show or transfer."""
        if self.first_call is None or self.finished is None:
            return None
        return max(0.0, self.finished - self.first_call)

    @property
    def service_s(self) -> float | None:
        """Complete − start, or complete − call when service was never started."""
        begin = self.started if self.started is not None else self.first_call
        if self.completed is None or begin is None:
            return None
        return max(0.0, self.completed - begin)
