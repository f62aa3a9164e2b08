"""The append-only event log: every transition of the floor with its time, the source of all statistics.

``append(conn, kind, site, at, **dimensions)`` is called inside the write transaction of the transition it
records, so a figure derived from events can never disagree with the state. Dimensions name places, queues,
services, staff accounts and subject ids only: never an ID number, a name or a phone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import Connection, insert, select

from hall_server.store import models as m
from hall_server.usecases.sites import site_local

EventKind = Literal[
    # tickets (subject: ticket id)
    "ticket_issued",  # detail: walk_in | booking | transfer; related: the booking or the ticket transferred
    "ticket_called",
    "ticket_recalled",
    "ticket_started",
    "ticket_completed",
    "ticket_no_show",
    "ticket_transferred",  # related: the new ticket
    "ticket_parked",
    # bookings (subject: booking id; detail: channel)
    "booking_made",
    "booking_cancelled",
    "booking_checked_in",  # related: the ticket
    "booking_missed",
    # reviews (subject: review id; value: level; related: the rated subject, detail: its type)
    "review_given",
    # follow-ups (subject: case id, related: review id; clerk: the account acting, the assignee when assigned)
    "follow_up_opened",
    "follow_up_assigned",  # detail: who assigned
    "follow_up_answered",  # value: working days left at the answer (negative: late); span_s: since opened
    "follow_up_closed",  # span_s: since opened
    # windows (window, clerk)
    "window_signed_in",
    "window_paused",
    "window_resumed",
    "window_signed_out",
    # video help (subject: call id; kiosk; detail: skill or end reason; clerk: the agent)
    "assist_queued",
    "assist_answered",
    "assist_ended",
    "assist_abandoned",
    # kiosks (kiosk; subject: visit id; detail: the function, or the device and its state)
    "kiosk_visit_started",
    "kiosk_visit_ended",  # value: 1 completed, 0 left unfinished
    "device_fault",
]
KINDS: frozenset[str] = frozenset(get_args(EventKind))
DIMENSIONS = ("queue", "service", "department", "window", "clerk", "kiosk", "subject", "related", "detail",
              "value", "span_s")
_INSERT = insert(m.events)


class UnknownEvent(ValueError):
    """A kind or a dimension that the log does not hold."""


def append(conn: Connection, kind: EventKind, site: str, at: datetime,
           **dimensions: str | int | None) -> None:
    """Add one event in ``conn``'s transaction; the hall-time day and hour are stored for grouping."""
    append_row(conn, event_row(kind, site, at, **dimensions))


def event_row(kind: EventKind, site: str, at: datetime, **dimensions: str | int | None) -> dict[str, object]:
    """The row ``append`` adds, every column but the id, always in the same order (for a statement that
    writes it with others: ``store.tickets.insert_issued``)."""
    if kind not in KINDS:
        raise UnknownEvent(f"unknown event kind {kind!r}")
    unknown = set(dimensions) - set(DIMENSIONS)
    if unknown:
        raise UnknownEvent(f"unknown event dimensions {sorted(unknown)}")
    local = site_local(site, at)
    return {**dict.fromkeys(DIMENSIONS), **dimensions, "kind": kind, "site": site, "at": at,
            "day": local.date(), "hour": local.hour, "demo": 0}


def append_row(conn: Connection, row: dict[str, object]) -> None:
    """Add an ``event_row`` in ``conn``'s transaction."""
    conn.execute(_INSERT, row)


def append_many(conn: Connection, rows: list[dict[str, object]]) -> None:
    """Add prepared rows at once (the demo history and the benchmark); each row has every column."""
    if rows:
        conn.execute(_INSERT, rows)


def last_clerk(conn: Connection, subject: str) -> str | None:
    """The staff account that last acted on ``subject`` (a ticket), from its events."""
    e = m.events
    row = conn.execute(select(e.c.clerk).where(e.c.subject == subject, e.c.clerk.is_not(None))
                       .order_by(e.c.id.desc()).limit(1)).first()
    return None if row is None else str(row.clerk)


def follow_up_opened(conn: Connection, case_id: str) -> dict[str, str | None] | None:
    """Where a follow-up case belongs (site, queue, service, department), from the event that opened it."""
    e = m.events
    row = conn.execute(select(e.c.site, e.c.queue, e.c.service, e.c.department)
                       .where(e.c.subject == case_id, e.c.kind == "follow_up_opened")).first()
    return None if row is None else dict(row._mapping)


def follow_up_departments(conn: Connection, case_ids: list[str]) -> dict[str, str | None]:
    """The department of each follow-up case, from the events that opened them."""
    e = m.events
    found: dict[str, str | None] = {}
    for start in range(0, len(case_ids), 500):  # bounded IN lists
        part = case_ids[start:start + 500]
        query = (select(e.c.subject, e.c.department)
                 .where(e.c.kind == "follow_up_opened", e.c.subject.in_(part)))
        found.update({row.subject: row.department for row in conn.execute(query)})
    return found


def first_at(conn: Connection, subject: str, kind: EventKind) -> datetime | None:
    """When ``subject`` first had an event of ``kind`` (None if never)."""
    e = m.events
    row = conn.execute(select(e.c.at).where(e.c.subject == subject, e.c.kind == kind)
                       .order_by(e.c.id).limit(1)).first()
    return None if row is None else row.at
