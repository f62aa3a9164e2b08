"""Queue ordering (property-based), ticket numbers, estimated wait, and the walk-in stop (不打烊)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall_server.domain.calendar import SiteCalendar
from hall_server.domain.queue import (
    PRIORITIES,
    WaitingTicket,
    count_ahead,
    estimated_wait_s,
    is_plain,
    mean_service_s,
    order_waiting,
    plain_go_before,
    queue_phase,
    ticket_number,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 10, 15, 10, 0, tzinfo=SHANGHAI)
CAP = timedelta(minutes=30)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def ticket(
    seq: int, minutes_ago: int, priority: str | None = None, window: tuple[int, int] | None = None
) -> WaitingTicket:
    booking_window = None
    if window is not None:
        booking_window = (NOW + timedelta(minutes=window[0]), NOW + timedelta(minutes=window[1]))
    return WaitingTicket(
        f"t{seq}",
        seq,
        NOW - timedelta(minutes=minutes_ago),
        priority,  # type: ignore[arg-type]
        booking_window,
    )


def ids(tickets: list[WaitingTicket]) -> list[str]:
    return [t.id for t in tickets]


def test_examples() -> None:
    walk_in_old = ticket(1, 20)
    walk_in_new = ticket(2, 10)
    elderly = ticket(3, 5, "elderly")
    booked = ticket(4, 2, window=(-10, 20))
    booked_early = ticket(5, 1, window=(15, 45))  # checked in before its window opened
    assert ids(order_waiting([walk_in_old, walk_in_new, elderly, booked, booked_early], NOW, CAP)) == [
        "t4",
        "t3",
        "t1",
        "t2",
        "t5",
    ]


def test_a_ticket_past_the_cap_is_no_longer_passed_over() -> None:
    starving = ticket(1, 31)
    later_elderly = ticket(2, 25, "military")
    later_booking = ticket(3, 1, window=(-5, 10))
    assert ids(order_waiting([later_booking, later_elderly, starving], NOW, CAP)) == ["t1", "t3", "t2"]
    assert ids(order_waiting([later_booking, later_elderly, starving], NOW, timedelta(minutes=60))) == [
        "t3",
        "t2",
        "t1",
    ]


def test_stable_fifo_for_equal_times() -> None:
    same = [ticket(3, 5), ticket(1, 5), ticket(2, 5)]
    assert ids(order_waiting(same, NOW, CAP)) == ["t1", "t2", "t3"]


minutes = st.integers(min_value=0, max_value=120)
tickets_strategy = st.lists(
    st.tuples(
        minutes,
        st.sampled_from([None, *PRIORITIES]),
        st.one_of(st.none(), st.tuples(st.integers(-60, 60), st.integers(0, 60))),
    ),
    max_size=30,
).map(
    lambda rows: [
        ticket(i + 1, ago, prio, None if w is None else (w[0], w[0] + w[1]))
        for i, (ago, prio, w) in enumerate(rows)
    ]
)


def in_window(t: WaitingTicket) -> bool:
    return t.booking_window is not None and t.booking_window[0] <= NOW <= t.booking_window[1]


def overdue(t: WaitingTicket, cap: timedelta) -> bool:
    return NOW - t.issued_at >= cap


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(tickets_strategy, st.integers(1, 90))
def test_ordering_properties(tickets: list[WaitingTicket], cap_minutes: int) -> None:
    cap = timedelta(minutes=cap_minutes)
    ordered = order_waiting(tickets, NOW, cap)
    # A permutation of the input.
    assert sorted(ids(ordered)) == sorted(ids(tickets)) and len(ordered) == len(tickets)
    for i, earlier in enumerate(ordered):
        for later in ordered[i + 1 :]:
            # No starvation: nobody issued after an overdue ticket is ahead of it.
            if overdue(later, cap):
                assert earlier.issued_at <= later.issued_at
            if overdue(earlier, cap) or overdue(later, cap):
                continue
            # Precedence among the rest: booking in its window, then priority, then normal; FIFO within.
            rank_e = 0 if in_window(earlier) else 1 if earlier.priority else 2
            rank_l = 0 if in_window(later) else 1 if later.priority else 2
            assert rank_e <= rank_l
            if rank_e == rank_l:
                assert (earlier.issued_at, earlier.seq) <= (later.issued_at, later.seq)


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(tickets_strategy)
def test_without_priority_or_bookings_it_is_fifo(tickets: list[WaitingTicket]) -> None:
    plain = [WaitingTicket(t.id, t.seq, t.issued_at) for t in tickets]
    assert ordered_times(order_waiting(plain, NOW, CAP)) == sorted(ordered_times(plain))


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(tickets_strategy, st.integers(1, 90), st.integers(0, 30))
def test_a_place_counted_is_the_place_in_the_ordered_line(
    tickets: list[WaitingTicket], cap_minutes: int, split: int
) -> None:
    cap = timedelta(minutes=cap_minutes)
    ordered = order_waiting(tickets, NOW, cap)
    for place, t in enumerate(ordered):
        assert count_ahead(tickets, t, NOW, cap) == place
        # Ticket issue counts a new ticket's place over the line read before its number, then over the
        # tickets numbered meanwhile: the two counts add up to the place in the whole line.
        before, meanwhile = tickets[:split], tickets[split:]
        assert count_ahead(before, t, NOW, cap) + count_ahead(meanwhile, t, NOW, cap) == place


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(tickets_strategy,
       st.lists(st.tuples(st.integers(1, 10), st.sampled_from([None, "elderly"])), max_size=3),
       st.integers(0, 90), st.sampled_from([None, *PRIORITIES]),
       st.one_of(st.none(), st.tuples(st.integers(-60, 60), st.integers(0, 60))))
def test_a_new_tickets_place_is_the_plain_count_plus_the_others_counted(
    tickets: list[WaitingTicket], ahead_of_now: list[tuple[int, str | None]], cap_minutes: int,
    priority: str | None, window: tuple[int, int] | None,
) -> None:
    """Ticket issue counts the plain tickets in the database and reads only the others: the sum is the
    new ticket's place in the whole line, whatever its class, for any cap, and when the line holds
    tickets issued after ``now`` (by a node whose clock runs ahead)."""
    cap = timedelta(minutes=cap_minutes)
    line = tickets + [ticket(len(tickets) + i + 1, -minutes, prio)
                      for i, (minutes, prio) in enumerate(ahead_of_now)]
    new = ticket(len(line) + 1, 0, priority, None if window is None else (window[0], window[0] + window[1]))
    plain = [t for t in line if is_plain(t, NOW, cap)]
    others = [t for t in line if not is_plain(t, NOW, cap)]
    counted = (len(plain) if plain_go_before(new, NOW, cap) else 0) + count_ahead(others, new, NOW, cap)
    assert counted == ids(order_waiting([*line, new], NOW, cap)).index(new.id)


def test_plain_tickets_are_walk_ins_inside_the_cap_issued_by_now() -> None:
    assert is_plain(ticket(1, 10), NOW, CAP)
    assert not is_plain(ticket(1, 30), NOW, CAP)  # waited the cap: overdue, first of all
    assert not is_plain(ticket(1, -1), NOW, CAP)  # issued after now (a clock ahead)
    assert not is_plain(ticket(1, 10, "elderly"), NOW, CAP)
    assert not is_plain(ticket(1, 10, window=(20, 40)), NOW, CAP)  # a booking, even outside its window
    assert plain_go_before(ticket(9, 0), NOW, CAP)
    assert plain_go_before(ticket(9, 0, window=(5, 20)), NOW, CAP)  # checked in early: a walk-in's tier
    assert not plain_go_before(ticket(9, 0, "pregnant"), NOW, CAP)
    assert not plain_go_before(ticket(9, 0, window=(-5, 20)), NOW, CAP)


def test_a_new_ticket_counts_everyone_before_it_by_tier() -> None:
    line = [ticket(1, 40), ticket(2, 10), ticket(3, 5, "elderly"), ticket(4, 2, window=(-10, 20))]
    # Overdue t1, booked t4 and the elderly t3 go before a new priority ticket; t2 does not.
    assert count_ahead(line, ticket(5, 0, "military"), NOW, CAP) == 3
    assert count_ahead(line, ticket(5, 0), NOW, CAP) == 4
    assert count_ahead(line, ticket(5, 0, window=(-1, 1)), NOW, CAP) == 2
    # A ticket is never ahead of itself, and an equal key is not "before".
    assert count_ahead(line, line[1], NOW, CAP) == 3
    assert count_ahead([*line, WaitingTicket("twin", 2, line[1].issued_at)], line[1], NOW, CAP) == 3
    assert count_ahead([], ticket(1, 0), NOW, CAP) == 0


def ordered_times(tickets: list[WaitingTicket]) -> list[tuple[datetime, int]]:
    return [(t.issued_at, t.seq) for t in tickets]


def test_ticket_numbers() -> None:
    assert [ticket_number("A", n) for n in (1, 7, 42, 999, 1000, 12345)] == [
        "A001",
        "A007",
        "A042",
        "A999",
        "A1000",
        "A12345",
    ]
    with pytest.raises(ValueError):
        ticket_number("A", 0)


def test_estimated_wait() -> None:
    assert estimated_wait_s(0, 3, [600], 300) == 0
    assert estimated_wait_s(3, 1, [], 300) == 900
    assert estimated_wait_s(6, 4, [200, 400], 300) == 450
    assert estimated_wait_s(5, 2, [100, 100, 101], 300) == 251  # 2.5 × 100.33… = 250.8, rounded up
    assert estimated_wait_s(2, 0, [], 300) == 600
    assert mean_service_s([1000.0] * 5 + [60.0] * 20, 300) == 60.0  # only recent history counts
    with pytest.raises(ValueError):
        estimated_wait_s(-1, 1, [], 300)


def test_walk_ins_stop_but_service_goes_on(calendar: SiteCalendar) -> None:
    sessions = calendar.day_plan(date(2025, 10, 15)).sessions
    assert queue_phase(at("2025-10-15 20:29"), sessions, waiting=5) == "open"
    assert queue_phase(at("2025-10-15 20:30"), sessions, waiting=0) == "walk_in_stopped"
    assert queue_phase(at("2025-10-15 21:40"), sessions, waiting=3) == "walk_in_stopped"
    assert queue_phase(at("2025-10-15 21:40"), sessions, waiting=0) == "closed"
    assert queue_phase(at("2025-10-15 12:30"), sessions, waiting=0) == "closed"
    assert queue_phase(at("2025-10-15 16:59"), sessions, waiting=0) == "open"
    holiday = calendar.day_plan(date(2025, 10, 1)).sessions  # only the self-service area
    assert queue_phase(at("2025-10-01 10:00"), holiday, waiting=0) == "closed"
