"""The sent video's ladder and step decision (remote_assist.adaptive), fed sequences of measured timings."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remote_assist.adaptive import DrawPacer, FrameTiming, SendAdapter, SendStep, ladder_for

LADDER = ladder_for(640, 480, 15)


def _feed(adapter: SendAdapter, seconds: float, busy_share: float, start: float = 0.0,
          late_s: float = 0.0) -> float:
    """Frames at the current step's rate whose sending takes ``busy_share`` of their interval."""
    t = start
    while t < start + seconds:
        interval = 1 / adapter.step.fps
        adapter.record(FrameTiming(t, busy_share * interval, late_s))
        t += interval
    return t


def test_ladder_starts_at_the_camera_and_falls_in_cost() -> None:
    assert [s.label for s in LADDER] == ["640x480@15", "480x360@10", "320x240@8", "320x240@5"]
    assert [s.label for s in ladder_for(640, 480, 30)][:2] == ["640x480@30", "640x480@15"]
    assert [s.label for s in ladder_for(320, 240, 15)] == ["320x240@15", "320x240@8", "320x240@5"]
    for ladder in (LADDER, ladder_for(640, 480, 30), ladder_for(1280, 720, 30)):
        costs = [s.cost for s in ladder]
        assert costs == sorted(costs, reverse=True) and len(set(costs)) == len(costs)


def test_a_kiosk_with_room_keeps_the_top_step() -> None:
    adapter = SendAdapter(LADDER)
    _feed(adapter, 60, 0.3)
    assert adapter.step == LADDER[0] and adapter.changes == []


def test_falling_behind_steps_down_one_at_a_time_after_a_full_window() -> None:
    adapter = SendAdapter(LADDER, window_s=2.0)
    end = _feed(adapter, 1.9, 1.5)
    assert adapter.level == 0  # a short burst is not falling behind
    _feed(adapter, 0.3, 1.5, start=end)
    assert adapter.level == 1
    first = adapter.changes[0][0]
    assert 2.0 <= first < 2.3
    _feed(adapter, 30, 1.5, start=first)
    assert adapter.step == SendStep(320, 240, 5)
    times = [t for t, _ in adapter.changes]
    assert all(b - a >= 2.0 for a, b in pairwise(times))


def test_late_frames_alone_step_down() -> None:
    adapter = SendAdapter(LADDER)
    _feed(adapter, 3, 0.1, late_s=0.2)  # each frame 3 intervals late at 15 fps
    assert adapter.level == 1


def test_headroom_steps_back_up_only_after_the_hold() -> None:
    adapter = SendAdapter(LADDER, up_hold_s=8.0)
    t = _feed(adapter, 2.1, 1.2)
    assert adapter.level == 1
    changed = adapter.changes[-1][0]
    t = _feed(adapter, 7.5, 0.1, start=t)
    assert adapter.level == 1
    _feed(adapter, 1.0, 0.1, start=t)
    assert adapter.level == 0
    assert adapter.changes[-1][0] - changed >= 8.0


def test_load_that_would_not_fit_the_step_above_stays_down() -> None:
    adapter = SendAdapter(LADDER)
    t = _feed(adapter, 2.1, 1.2)
    assert adapter.level == 1
    # 0.3 of 480x360@10 is 0.3 x 2.67 = 0.8 of 640x480@15: over the 0.5 allowed going up.
    _feed(adapter, 60, 0.3, start=t)
    assert adapter.level == 1


def test_a_format_that_fails_again_is_tried_less_often() -> None:
    adapter = SendAdapter(LADDER, up_hold_s=8.0, max_hold_s=64.0)
    t = 0.0
    for _ in range(6):
        t = _feed(adapter, 2.5, 1.2, start=t)  # down
        t = _feed(adapter, adapter.hold_s + 1, 0.05, start=t)  # room: back up
    assert adapter.hold_s == 64.0


@pytest.mark.parametrize("bad", [{"up_load": 0.9, "down_load": 0.8}, {"up_load": 0}])
def test_thresholds_must_leave_a_gap(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        SendAdapter(LADDER, **bad)


timings = st.lists(
    st.tuples(
        st.floats(min_value=0.001, max_value=0.5),  # gap to the next frame
        st.floats(min_value=0.0, max_value=1.0),  # busy seconds
        st.floats(min_value=-0.1, max_value=2.0),  # late seconds
    ),
    max_size=400,
)


@settings(max_examples=200, deadline=None)
@given(timings)
def test_any_sequence_moves_one_step_at_a_time_within_the_ladder(
    seq: list[tuple[float, float, float]],
) -> None:
    adapter = SendAdapter(LADDER, window_s=2.0, up_hold_s=8.0)
    t, level = 0.0, 0
    last_change = 0.0
    for gap, busy, late in seq:
        t += gap
        changed = adapter.record(FrameTiming(t, busy, late))
        assert 0 <= adapter.level < len(LADDER)
        if changed is None:
            assert adapter.level == level
            continue
        assert changed == adapter.step and abs(adapter.level - level) == 1
        # Never two changes inside one window; never up before the hold.
        assert t - last_change >= 2.0
        if adapter.level < level:
            assert t - last_change >= 8.0
        level, last_change = adapter.level, t
    assert len(adapter.changes) <= len(seq)


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=0.0, max_value=3.0), st.integers(min_value=0, max_value=3))
def test_a_steady_load_settles(busy_share: float, start_level: int) -> None:
    """Under a constant load the step stops changing: no endless up and down."""
    adapter = SendAdapter(LADDER)
    adapter.level = start_level
    t = _feed(adapter, 200, busy_share)
    settled = len(adapter.changes)
    _feed(adapter, 100, busy_share, start=t)
    assert len(adapter.changes) == settled
    if busy_share > 1.0:
        assert adapter.level == len(LADDER) - 1
    if busy_share < 0.1:
        assert adapter.level == 0


def _ticks(pacer: DrawPacer, seconds: float, late: float, start: float = 0.0) -> float:
    """Ticks that each come ``late`` times the current interval after the last."""
    t = start
    while t < start + seconds:
        dt = late / pacer.rate
        t += dt
        pacer.tick(t, dt)
    return t


def test_pictures_are_redrawn_less_often_when_ticks_come_late_and_more_when_on_time() -> None:
    pacer = DrawPacer(15)
    assert pacer.rates == (15, 10, 6, 3, 2)
    t = _ticks(pacer, 1.9, 3.0)
    assert pacer.rate == 15  # not a full window yet
    t = _ticks(pacer, 20, 3.0, start=t)
    assert pacer.rate == 2
    t = _ticks(pacer, 9.5, 1.0, start=t)
    assert pacer.rate == 2  # on time, but not for the whole hold
    _ticks(pacer, 1.0, 1.0, start=t)
    assert pacer.rate == 3


def test_a_slow_screen_setting_stays_the_top_and_a_kiosk_on_time_keeps_it() -> None:
    assert DrawPacer(2).rates == (2,)
    pacer = DrawPacer(15)
    _ticks(pacer, 60, 1.1)
    assert pacer.rate == 15


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=0.001, max_value=3.0), max_size=300))
def test_the_redraw_rate_moves_one_step_at_a_time(gaps: list[float]) -> None:
    pacer = DrawPacer(15)
    t, level = 0.0, 0
    for dt in gaps:
        t += dt
        changed = pacer.tick(t, dt)
        assert 0 <= pacer.level < len(pacer.rates)
        assert abs(pacer.level - level) <= 1 and (changed is None) == (pacer.level == level)
        level = pacer.level
