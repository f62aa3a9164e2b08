"""The definitions of the hall's figures (docs/statistics.md), as pure functions over durations and counts.

percentile(values, p) -> float | None   nearest rank: the smallest value with at least p % at or below it
share(part, whole) -> float | None       part / whole rounded to 4 places; None when whole is 0
mean(values) -> float | None
Histogram                                whole-second durations counted per value: percentiles, mean, share
"""

from __future__ import annotations

import math
from collections.abc import Sequence

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


class Histogram:
    """Whole-second durations as counts per value, as SQL groups them: the percentiles, means and
    shares of the durations themselves, without fetching one row per ticket."""

    def __init__(self, counts: dict[int, int] | None = None) -> None:
        self.counts: dict[int, int] = dict(counts or {})

    def add(self, value: int, count: int = 1) -> None:
        self.counts[value] = self.counts.get(value, 0) + count

    def merge(self, other: Histogram) -> None:
        for value, count in other.counts.items():
            self.add(value, count)

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    def percentile(self, p: float) -> int | None:
        """Nearest rank, as ``percentile`` over the values one by one."""
        n = self.n
        if not n:
            return None
        rank = max(1, math.ceil(p / 100 * n))
        seen = 0
        for value in sorted(self.counts):
            seen += self.counts[value]
            if seen >= rank:
                return value
        raise AssertionError("unreachable: the ranks add up to n")

    def mean(self) -> float | None:
        n = self.n
        return round(sum(v * c for v, c in self.counts.items()) / n, 1) if n else None

    def total(self) -> int:
        return sum(v * c for v, c in self.counts.items())

    def at_most(self, limit: int) -> int:
        return sum(c for v, c in self.counts.items() if v <= limit)
