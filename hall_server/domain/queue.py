"""The waiting line: the one ordering function, ticket numbers, estimated wait, and when walk-ins stop.

order_waiting(tickets, now, wait_cap) -> list[WaitingTicket]   who is called next, first
count_ahead(tickets, ticket, now, wait_cap) -> int   how many of them go before ticket
is_plain(ticket, now, wait_cap) / plain_go_before(new_ticket, now, wait_cap)   the bulk of a line, counted
ticket_number("A", 7) -> "A007";  estimated_wait_s(people_ahead, counters, recent_service_s, default_s)
queue_phase(now, sessions, waiting) -> "open" | "walk_in_stopped" | "closed"
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from hall_server.domain.calendar import PlannedSession

Priority = Literal["elderly", "disabled", "pregnant", "military"]
PRIORITIES: tuple[Priority, ...] = ("elderly", "disabled", "pregnant", "military")
QueuePhase = Literal["open", "walk_in_stopped", "closed"]
RECENT_SERVICES = 20


@dataclass(frozen=True)
class WaitingTicket:
    """What ordering needs of a waiting ticket.

    `booking_window` is the check-in window of a booking's slot (booking.check_in_window); the
    ticket goes ahead of walk-ins while `now` is inside it. `rank` is the place of the ticket's queue
    among those a window serves (0 first); tickets of one queue all have the same.
    """

    id: str
    seq: int
    issued_at: datetime
    priority: Priority | None = None
    booking_window: tuple[datetime, datetime] | None = None
    rank: int = 0


def _tier(ticket: WaitingTicket, now: datetime) -> int:
    window = ticket.booking_window
    if window is not None and window[0] <= now <= window[1]:
        return 0
    if ticket.priority is not None:
        return 1
    return 2


def order_waiting(
    tickets: Iterable[WaitingTicket], now: datetime, wait_cap: timedelta
) -> list[WaitingTicket]:
    """The waiting tickets in the order they will be called.

    Tickets that have waited `wait_cap` or longer come first, in order of issue: nobody issued after
    them passes them any more, so nobody starves. The rest go by tier (a booking inside its window,
    then the 绿色通道 priority classes, then everyone else) and, within a tier, in order of issue.
    Ties on issue time keep the sequence number order, then the input order.

    For a window serving several queues (`rank`): the cap and bookings in their window hold across
    its queues; after them the window's first queue is served before its next, each in tier order.
    """
    return sorted(tickets, key=lambda ticket: _order_key(ticket, now, wait_cap))


def count_ahead(
    tickets: Iterable[WaitingTicket], ticket: WaitingTicket, now: datetime, wait_cap: timedelta
) -> int:
    """How many of ``tickets`` ``order_waiting`` puts before ``ticket`` (its place in their line, from 0).

    The order is by a key of each ticket alone, so the place is a count and the line need not be sorted:
    a new ticket's place is counted over the line read before it was numbered, then over the few
    tickets numbered meanwhile. ``ticket`` itself is not counted; another ticket with an equal key
    (same issue time and number, two queues in one window's line) is not counted either.
    """
    mine = _order_key(ticket, now, wait_cap)
    me = ticket.id
    ahead = 0
    # ``_order_key`` written out: this runs over the whole line for every ticket issued, and a call per
    # waiting ticket was most of its time.
    for other in tickets:
        issued = other.issued_at
        if now - issued >= wait_cap:
            key: OrderKey = (0, 0, 0, 0, issued, other.seq)
        else:
            window = other.booking_window
            if window is not None and window[0] <= now <= window[1]:
                key = (1, 0, other.rank, 0, issued, other.seq)
            else:
                key = (1, 1, other.rank, 2 if other.priority is None else 1, issued, other.seq)
        if key < mine and other.id != me:
            ahead += 1
    return ahead


def is_plain(ticket: WaitingTicket, now: datetime, wait_cap: timedelta) -> bool:
    """A plain ticket: a walk-in without priority class, issued no later than ``now`` and not yet waited
    ``wait_cap``. Most of a line is plain, and plain tickets all stand alike before a new ticket
    (``plain_go_before``): issuing counts them in the database instead of reading each."""
    return (ticket.priority is None and ticket.booking_window is None and ticket.rank == 0
            and now - wait_cap < ticket.issued_at <= now)


def plain_go_before(ticket: WaitingTicket, now: datetime, wait_cap: timedelta) -> bool:
    """Whether every plain ticket numbered before ``ticket`` (a new one, issued at ``now``) is called
    before it: yes for a walk-in of the last tier; no for a priority class or a booking inside its window,
    which pass them all. A plain ticket's key is (1, 1, 0, 2, issued ≤ now, smaller number)."""
    return _order_key(ticket, now, wait_cap)[:4] == (1, 1, 0, 2)


OrderKey = tuple[int, int, int, int, datetime, int]


def _order_key(ticket: WaitingTicket, now: datetime, wait_cap: timedelta) -> OrderKey:
    if now - ticket.issued_at >= wait_cap:
        return (0, 0, 0, 0, ticket.issued_at, ticket.seq)
    tier = _tier(ticket, now)
    return (1, 0 if tier == 0 else 1, ticket.rank, tier, ticket.issued_at, ticket.seq)


def ticket_number(prefix: str, seq: int) -> str:
    """The printed ticket number: queue prefix and at least three digits (A001 … A999, A1000)."""
    if seq < 1:
        raise ValueError("ticket numbers start at 1")
    return f"{prefix}{seq:03d}"


def mean_service_s(recent_service_s: Sequence[float], default_s: float) -> float:
    """Mean of the last RECENT_SERVICES service durations of a queue, or the default without history."""
    recent = [s for s in recent_service_s[-RECENT_SERVICES:] if s > 0]
    return sum(recent) / len(recent) if recent else default_s


def estimated_wait_s(
    people_ahead: int, counters_open: int, recent_service_s: Sequence[float], default_s: float
) -> int:
    """People ahead ÷ counters open × recent mean service time, in whole seconds (rounded up).

    With no counter open (a queue not staffed in this session) one counter is assumed, so the
    estimate stays an honest upper bound instead of a division by zero.
    """
    if people_ahead < 0:
        raise ValueError("people_ahead must not be negative")
    if people_ahead == 0:
        return 0
    return math.ceil(people_ahead / max(counters_open, 1) * mean_service_s(recent_service_s, default_s))


def queue_phase(now: datetime, sessions: Iterable[PlannedSession], waiting: int) -> QueuePhase:
    """Whether walk-in tickets are issued, or only the tickets already issued are still served (不打烊).

    "open" inside a staffed session before its walk-in stop; "walk_in_stopped" after that while
    anyone is still waiting or the session has not ended; "closed" otherwise.
    """
    staffed = [s for s in sessions if s.staffed]
    if any(s.start <= now < s.walk_in_until for s in staffed):
        return "open"
    if waiting > 0 or any(s.walk_in_until <= now < s.end for s in staffed):
        return "walk_in_stopped"
    return "closed"
