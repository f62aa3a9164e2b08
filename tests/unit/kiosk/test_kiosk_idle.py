"""The idle rule on a settable clock: active → warning → expired; touches and elderly mode."""

from __future__ import annotations

import pytest

from kiosk.idle import IdleTimeouts, IdleTimer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_states_follow_the_clock():
    clock = Clock()
    timer = IdleTimer(IdleTimeouts(60, 20), clock)
    assert timer.state() == "active"  # not started: no visit
    timer.start()
    clock.now += 59.9
    assert timer.state() == "active"
    clock.now += 0.1
    assert timer.state() == "warning"
    assert timer.seconds_left() == pytest.approx(20)
    clock.now += 19.9
    assert timer.state() == "warning"
    clock.now += 0.1
    assert timer.state() == "expired"


def test_touch_and_more_time_restart_the_count():
    clock = Clock()
    timer = IdleTimer(IdleTimeouts(60, 20), clock)
    timer.start()
    clock.now += 70
    assert timer.state() == "warning"
    timer.touch()
    assert timer.state() == "active"
    clock.now += 59
    assert timer.state() == "active"


def test_elderly_mode_doubles_both_timeouts():
    clock = Clock()
    timer = IdleTimer(IdleTimeouts(60, 20), clock, elderly=True)
    timer.start()
    clock.now += 119
    assert timer.state() == "active"
    clock.now += 2
    assert timer.state() == "warning"
    assert timer.seconds_left() == pytest.approx(39)
    clock.now += 40
    assert timer.state() == "expired"


def test_stopped_timer_never_expires():
    clock = Clock()
    timer = IdleTimer(IdleTimeouts(1, 1), clock)
    timer.start()
    timer.stop()
    clock.now += 1000
    assert timer.state() == "active"


@pytest.mark.parametrize(("idle", "warning"), [(0, 20), (60, -1)])
def test_timeouts_must_be_positive(idle, warning):
    with pytest.raises(ValueError):
        IdleTimeouts(idle, warning)
