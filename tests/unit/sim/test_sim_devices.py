"""Health and the reconnect back-off every driver shares, on a settable clock."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terminal_drivers.devices import Health, Reconnector, ReconnectPolicy
from terminal_drivers.errors import DeviceDisconnected, DeviceNotFound


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_health_json_and_validation() -> None:
    assert Health.degraded("paper_near_end").as_json() == {"state": "degraded", "reason": "paper_near_end"}
    with pytest.raises(ValueError):
        Health("offline")


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = ReconnectPolicy(initial_s=0.5, max_s=4.0)
    assert [policy.delay(n) for n in range(0, 7)] == [0.0, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


@given(attempt=st.integers(min_value=1, max_value=10**6))
def test_backoff_never_exceeds_the_cap(attempt: int) -> None:
    policy = ReconnectPolicy()
    assert policy.initial_s <= policy.delay(attempt) <= policy.max_s


@pytest.mark.parametrize(("initial", "cap", "factor"), [(0, 1, 2), (2, 1, 2), (1, 2, 0.5), (-1, 1, 2)])
def test_bad_policies_are_refused(initial: float, cap: float, factor: float) -> None:
    with pytest.raises(ValueError):
        ReconnectPolicy(initial_s=initial, max_s=cap, factor=factor)


def test_reconnector_reports_offline_and_schedules_retries() -> None:
    clock = Clock()
    tracker = Reconnector(ReconnectPolicy(initial_s=1.0, max_s=8.0), clock=clock)
    assert tracker.due() and tracker.health == Health.ok()
    assert tracker.failed(DeviceDisconnected("gone")) == Health.offline("device_disconnected")
    assert not tracker.due() and tracker.seconds_until_due() == 1.0
    clock.now += 1.0
    assert tracker.due()
    tracker.failed(DeviceNotFound("still gone"))
    assert tracker.health.reason == "device_not_found"
    assert tracker.seconds_until_due() == 2.0
    tracker.succeeded()
    assert tracker.health == Health.ok() and tracker.due() and tracker.failures == 0
