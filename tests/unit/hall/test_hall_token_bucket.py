"""The token buckets behind the hall server's rate limits, on a time source the test moves."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall_server.config import ConfigError, Settings
from hall_server.state.request_limits import RateLimiter, retry_after_s


class Ticker:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


@given(
    capacity=st.integers(1, 20),
    rate=st.floats(0.1, 50.0),
    gaps=st.lists(st.floats(0.0, 2.0), min_size=1, max_size=200),
)
def test_never_more_than_the_burst_plus_what_has_come_back(
    capacity: int, rate: float, gaps: list[float]
) -> None:
    ticker = Ticker()
    limiter = RateLimiter(capacity, rate, ticker)
    allowed = 0
    for gap in gaps:
        ticker.seconds += gap
        wait = limiter.take("k")
        if wait == 0.0:
            allowed += 1
        else:
            assert 0.0 < wait <= 1.0 / rate + 1e-9
    assert allowed <= capacity + ticker.seconds * rate + 1e-6


@given(capacity=st.integers(1, 20), rate=st.floats(0.1, 50.0))
def test_waiting_as_long_as_told_lets_the_next_request_in(capacity: int, rate: float) -> None:
    ticker = Ticker()
    limiter = RateLimiter(capacity, rate, ticker)
    for _ in range(capacity):
        assert limiter.take("k") == 0.0
    wait = limiter.take("k")
    assert wait > 0.0
    ticker.seconds += retry_after_s(wait)
    assert limiter.take("k") == 0.0


def test_keys_are_counted_apart_and_given_back_tokens_return() -> None:
    ticker = Ticker()
    limiter = RateLimiter(2, 1.0, ticker)
    assert [limiter.take("a"), limiter.take("a")] == [0.0, 0.0]
    assert limiter.take("a") == pytest.approx(1.0)
    assert limiter.take("b") == 0.0
    limiter.give_back("a")
    assert limiter.take("a") == 0.0
    limiter.give_back("unknown")  # nothing to return to: no bucket is made
    assert limiter.take("a") > 0.0


def test_a_clock_running_backwards_takes_no_tokens_away() -> None:
    ticker = Ticker()
    ticker.seconds = 100.0
    limiter = RateLimiter(1, 1.0, ticker)
    assert limiter.take("a") == 0.0
    ticker.seconds = 50.0
    assert limiter.take("a") == pytest.approx(1.0)
    ticker.seconds = 51.0
    assert limiter.take("a") == 0.0


def test_full_buckets_are_forgotten_when_many_pile_up() -> None:
    ticker = Ticker()
    limiter = RateLimiter(1, 1.0, ticker)
    for n in range(10_000):
        limiter.take(f"k{n}")
    ticker.seconds += 5.0
    limiter.take("last")  # all earlier buckets are full again by now
    assert set(limiter._buckets) == {"last"}


def test_retry_after_is_a_whole_number_of_seconds_and_never_zero() -> None:
    assert [retry_after_s(w) for w in (0.001, 1.0, 1.2, 59.99)] == [1, 1, 2, 60]


@pytest.mark.parametrize(
    "overrides",
    [
        {"rate_limit_burst": 0},
        {"rate_limit_per_s": 0.0},
        {"login_failures_per_username": 0},
        {"login_failures_per_address": 0},
        {"login_failure_refill_s": -1.0},
    ],
)
def test_unusable_rate_limit_settings_are_refused(overrides: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        Settings(db_url="sqlite://", **overrides)  # type: ignore[arg-type]
