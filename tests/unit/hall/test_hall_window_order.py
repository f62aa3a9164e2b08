"""The order a window serving several queues calls in: the one ordering function with each queue's rank."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from hall_server.domain.queue import WaitingTicket, order_waiting

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CAP = timedelta(minutes=30)


def ticket(name: str, minutes_ago: float, rank: int, priority: str | None = None,
           booking: bool = False) -> WaitingTicket:
    window = (NOW - timedelta(minutes=5), NOW + timedelta(minutes=10)) if booking else None
    return WaitingTicket(name, int(minutes_ago * 60), NOW - timedelta(minutes=minutes_ago), priority,  # type: ignore[arg-type]
                         window, rank)


def names(items: list[WaitingTicket]) -> list[str]:
    return [t.id for t in order_waiting(items, NOW, CAP)]


def test_first_queue_first_then_the_next_each_in_tier_order() -> None:
    line = [
        ticket("E-normal-old", 20, 0), ticket("E-elderly", 2, 0, "elderly"), ticket("E-normal", 5, 0),
        ticket("F-elderly", 25, 1, "elderly"), ticket("F-normal", 28, 1),
    ]
    assert names(line) == ["E-elderly", "E-normal-old", "E-normal", "F-elderly", "F-normal"]


def test_the_cap_and_bookings_in_their_window_hold_across_the_windows_queues() -> None:
    line = [
        ticket("E-elderly", 2, 0, "elderly"), ticket("F-booking", 1, 1, booking=True),
        ticket("F-overdue", 30, 1), ticket("E-overdue-later", 29.99, 0),
    ]
    # At cap exactly F-overdue is overdue; E-overdue-later (cap less 0.6 s) is not yet.
    assert names(line) == ["F-overdue", "F-booking", "E-elderly", "E-overdue-later"]


SPECS = st.lists(st.tuples(st.integers(0, 40), st.sampled_from([None, "elderly"]), st.booleans()),
                 max_size=12)


@given(SPECS)
def test_with_one_queue_the_rank_changes_nothing(spec: list[tuple[int, str | None, bool]]) -> None:
    line = [ticket(f"t{i}", minutes, 0, priority, booking)
            for i, (minutes, priority, booking) in enumerate(spec)]
    ranked = [replace(t, rank=3) for t in line]
    assert names(ranked) == names(line)
