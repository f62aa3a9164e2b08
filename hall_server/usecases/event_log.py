"""The dimensions of an event taken from the row it is about (a ticket, a booking), in one place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from hall_server.store import bookings, events, tickets
from hall_server.usecases.caller import Caller
from hall_server.usecases.catalogue import service_entry


def department_of(service: str) -> str | None:
    entry = service_entry(service)
    return entry.department if entry is not None else None


def ticket_event(conn: Connection, kind: events.EventKind, row: tickets.Ticket, at: datetime, *,
                 window: str | None = None, clerk: str | None = None, related: str | None = None,
                 detail: str | None = None) -> None:
    """Record ``kind`` for ticket ``row`` as it was before the transition (its queue, service and
    department; the window that acts) with the seconds the transition closes."""
    events.append_row(conn, ticket_event_row(conn, kind, row, at, window=window, clerk=clerk,
                                             related=related, detail=detail))


def ticket_event_row(conn: Connection, kind: events.EventKind, row: tickets.Ticket, at: datetime, *,
                     window: str | None = None, clerk: str | None = None, related: str | None = None,
                     detail: str | None = None) -> dict[str, object]:
    """The event row ``ticket_event`` adds, for a statement that writes it with the ticket's own."""
    return events.event_row(kind, row.site, at, queue=row.queue, service=row.service,
                            department=department_of(row.service), window=window or row.counter,
                            clerk=clerk, subject=row.id, related=related, detail=detail,
                            span_s=span_of(conn, kind, row, at))


def span_of(conn: Connection, kind: events.EventKind, row: tickets.Ticket, at: datetime) -> int | None:
    """docs/statistics.md: a first call closes the wait (since the ticket's issue event: a booking's
    check-in, a transfer's new ticket); a completion the service (since start, or the last call when never
    started); a no-show or a transfer the time held at the window since the last call."""
    since: datetime | None = None
    if kind == "ticket_called" and events.first_at(conn, row.id, "ticket_called") is None:
        since = events.first_at(conn, row.id, "ticket_issued")
    elif kind == "ticket_completed":
        since = row.started_at or row.called_at
    elif kind in ("ticket_no_show", "ticket_transferred"):
        since = row.called_at
    return None if since is None else max(0, round((at - since).total_seconds()))


def booking_event(conn: Connection, kind: events.EventKind, row: bookings.Booking, at: datetime, *,
                  related: str | None = None, kiosk: str | None = None) -> None:
    """Record ``kind`` for booking ``row``: its service, department and channel, never the person."""
    events.append(conn, kind, row.site, at, service=row.service, department=department_of(row.service),
                  subject=row.id, related=related, detail=row.channel, kiosk=kiosk)


def caller_kiosk(caller: Caller) -> str | None:
    """The kiosk a transition was made at, if a kiosk made it."""
    return caller.kiosk.name if caller.kiosk is not None else None


def subject_dimensions(conn: Connection, subject_type: str, subject_id: str) -> dict[str, str | None]:
    """Where a rated transaction happened: a ticket's queue, service, department, window and clerk, a
    booking's service and department; nothing for other subjects."""
    if subject_type == "ticket":
        ticket = tickets.get(conn, subject_id)
        if ticket is not None:
            return {"queue": ticket.queue, "service": ticket.service,
                    "department": department_of(ticket.service), "window": ticket.counter,
                    "clerk": events.last_clerk(conn, ticket.id)}
    elif subject_type == "booking":
        booking = bookings.get(conn, subject_id)
        if booking is not None:
            return {"service": booking.service, "department": department_of(booking.service)}
    return {}


def review_event(conn: Connection, review_id: str, level: int, site: str, at: datetime, *, subject_type: str,
                 subject_id: str, kiosk: str | None, case_id: str | None) -> None:
    """Record a review given (value: its level) and, for a bad one, the follow-up case it opened."""
    where = subject_dimensions(conn, subject_type, subject_id)
    events.append(conn, "review_given", site, at, subject=review_id, related=subject_id, detail=subject_type,
                  value=level, kiosk=kiosk, **where)
    if case_id is not None:
        events.append(conn, "follow_up_opened", site, at, subject=case_id, related=review_id, value=level,
                      **where)
