"""The figures' definitions (docs/statistics.md): nearest-rank percentiles, the histogram that stands for
the values one by one, and a window's open time from its shift events."""

from __future__ import annotations

import random
from types import SimpleNamespace

from hall_server.domain.statistics import Histogram, percentile, share
from hall_server.usecases.stats_queues import open_seconds


def test_nearest_rank_percentiles_are_values_that_happened() -> None:
    assert percentile([], 50) is None
    assert percentile([7], 90) == 7
    assert percentile([1, 2, 3, 4], 50) == 2 and percentile([1, 2, 3, 4], 90) == 4
    assert percentile(list(range(1, 11)), 90) == 9 and percentile(list(range(1, 11)), 91) == 10
    assert share(1, 3) == 0.3333 and share(0, 0) is None


def test_a_histogram_answers_as_its_values_one_by_one() -> None:
    rng = random.Random(3)
    for _ in range(200):
        values = [rng.randrange(0, 50) for _ in range(rng.randrange(1, 40))]
        histogram = Histogram()
        for v in values:
            histogram.add(v)
        for p in (1, 10, 50, 90, 99, 100):
            assert histogram.percentile(p) == percentile(values, p)
        assert histogram.mean() == round(sum(values) / len(values), 1)
        assert histogram.at_most(20) == sum(1 for v in values if v <= 20)
    assert Histogram().percentile(50) is None and Histogram().mean() is None


def event(kind: str, at_s: float, window: str = "15") -> SimpleNamespace:
    return SimpleNamespace(kind=kind, at_s=at_s, window=window, clerk="counter1", day="2026-11-25", hour=9)


def test_open_time_counts_signed_in_and_not_paused() -> None:
    shifts = [event("window_signed_in", 0), event("window_paused", 3600), event("window_resumed", 4200),
              event("window_signed_out", 7200), event("window_signed_in", 100, window="16")]
    opened = open_seconds(shifts, "total")
    assert opened[("15", "counter1")] == (3600 + 3000, 1)
    assert opened[("16", "counter1")] == (0.0, 0)  # still open: counts to its last event
    by_day = open_seconds(shifts, "day")
    assert by_day[("2026-11-25", "15", "counter1")] == (6600, 1)
