"""The maintenance PIN's lockout: counted across openings and restarts, owner-only on disk."""

from __future__ import annotations

import stat

from kiosk.pin_lock import MAX_LOCKOUT_S, PinLock


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_five_wrong_pins_lock_and_the_lock_survives_a_restart(tmp_path):
    path = tmp_path / "cache" / "maintenance_pin.json"
    clock = Clock()
    lock = PinLock(path, clock=clock)
    for _ in range(3):
        assert not lock.failed()
    # A restart in the middle keeps the count: two more, not five, end in a lockout.
    lock = PinLock(path, clock=clock)
    assert lock.failures == 3 and not lock.locked
    assert not lock.failed()
    assert lock.failed() and lock.locked
    restarted = PinLock(path, clock=clock)
    assert restarted.locked and restarted.remaining_s() == 300.0
    clock.now += 301
    assert not restarted.locked


def test_each_lockout_in_a_row_lasts_longer_and_the_right_pin_starts_afresh(tmp_path):
    clock = Clock()
    lock = PinLock(tmp_path / "pin.json", clock=clock, max_attempts=2, lockout_s=100)
    spans = []
    for _ in range(7):
        lock.failed()
        assert lock.failed()
        spans.append(lock.remaining_s())
        clock.now += lock.remaining_s() + 1
    assert spans[:3] == [100, 200, 400] and spans[-1] == MAX_LOCKOUT_S
    lock.succeeded()
    lock.failed()
    assert lock.failed() and lock.remaining_s() == 100


def test_the_state_file_is_owner_only(tmp_path):
    path = tmp_path / "cache" / "maintenance_pin.json"
    PinLock(path).failed()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_an_unreadable_state_file_locks_rather_than_opens(tmp_path):
    path = tmp_path / "maintenance_pin.json"
    path.write_text("{not json")
    assert PinLock(path).locked


def test_a_clock_set_back_does_not_stretch_a_lockout(tmp_path):
    clock = Clock()
    lock = PinLock(tmp_path / "pin.json", clock=clock, max_attempts=1)
    assert lock.failed()
    clock.now -= 10 * 86400
    assert lock.remaining_s() == MAX_LOCKOUT_S


def test_without_a_file_the_count_still_holds_in_memory():
    lock = PinLock(None, max_attempts=2)
    lock.failed()
    assert lock.failed() and lock.locked
