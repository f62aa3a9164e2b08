"""The queue's rules at their exact boundaries: the wait cap, a booking window's last instant, the first
and last minute of a session, one person ahead, zero-length services (each found by mutation testing)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hall_server.domain.calendar import SiteCalendar
from hall_server.domain.queue import (
    WaitingTicket,
    estimated_wait_s,
    mean_service_s,
    order_waiting,
    queue_phase,
    ticket_number,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 10, 15, 10, 0, tzinfo=SHANGHAI)
CAP = timedelta(minutes=30)


def issued(seq: int, ago: timedelta, **kw: object) -> WaitingTicket:
    return WaitingTicket(f"t{seq}", seq, NOW - ago, **kw)  # type: ignore[arg-type]


def ids(tickets: list[WaitingTicket]) -> list[str]:
    return [t.id for t in order_waiting(tickets, NOW, CAP)]


def test_a_ticket_waiting_exactly_the_cap_is_no_longer_passed() -> None:
    normal = issued(1, CAP)
    priority = issued(2, timedelta(minutes=10), priority="elderly")
    assert ids([priority, normal]) == ["t1", "t2"]
    # One second short of the cap, the priority class still goes first.
    assert ids([priority, issued(1, CAP - timedelta(seconds=1))]) == ["t2", "t1"]


def test_a_booking_goes_first_up_to_the_last_instant_of_its_window() -> None:
    walk_in = issued(1, timedelta(minutes=20))
    booking = issued(2, timedelta(minutes=5), booking_window=(NOW - timedelta(minutes=45), NOW))
    assert ids([walk_in, booking]) == ["t2", "t1"]
    opening = issued(2, timedelta(minutes=5), booking_window=(NOW, NOW + timedelta(minutes=45)))
    assert ids([walk_in, opening]) == ["t2", "t1"]
    ended = (NOW - timedelta(minutes=45), NOW - timedelta(seconds=1))
    late = issued(2, timedelta(minutes=5), booking_window=ended)
    assert ids([walk_in, late]) == ["t1", "t2"]


def test_one_person_ahead_waits_one_mean_service() -> None:
    assert estimated_wait_s(1, 1, [], 300) == 300
    assert estimated_wait_s(1, 2, [120.0], 300) == 60
    assert estimated_wait_s(0, 1, [120.0], 300) == 0


def test_services_of_no_length_do_not_count_and_short_ones_do() -> None:
    # A complete pressed at once after a call (no service) says nothing of how long service takes.
    assert mean_service_s([0.0, 120.0], 300) == 120
    assert mean_service_s([0.5], 300) == 0.5
    assert mean_service_s([0.0], 300) == 300


def test_bad_arguments_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match=r"^ticket numbers start at 1$"):
        ticket_number("A", 0)
    with pytest.raises(ValueError, match=r"^people_ahead must not be negative$"):
        estimated_wait_s(-1, 1, [], 300)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_the_first_and_last_minute_of_a_session(calendar: SiteCalendar) -> None:
    sessions = calendar.day_plan(date(2025, 10, 15)).sessions  # a Wednesday: morning, afternoon, evening
    assert queue_phase(at("2025-10-15 09:00"), sessions, waiting=0) == "open"
    assert queue_phase(at("2025-10-15 08:59"), sessions, waiting=0) == "closed"
    # The evening's walk-ins stop at 20:30; at 21:00 the session is over, unless someone still waits.
    assert queue_phase(at("2025-10-15 21:00"), sessions, waiting=0) == "closed"
    assert queue_phase(at("2025-10-15 20:59"), sessions, waiting=0) == "walk_in_stopped"
    assert queue_phase(at("2025-10-15 21:40"), sessions, waiting=1) == "walk_in_stopped"
