"""Issuing tickets and describing them (position, estimated wait) with the domain's queue rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection

from hall_server.api.catalogue_source import ServiceEntry, service_entry
from hall_server.api.errors import ApiError
from hall_server.api.hall_state import HallState
from hall_server.api.site_rules import site_or_404
from hall_server.domain.booking import check_in_window
from hall_server.domain.queue import Priority, WaitingTicket, estimated_wait_s, order_waiting, ticket_number
from hall_server.store import tickets

OptionalPriority = Priority | None
# A waiting ticket's row does not change while it waits, and every ticket issued re-reads the whole
# line: converting each row once per process keeps that read cheap.
_converted: dict[tuple[str, tickets.WaitingRow], WaitingTicket] = {}
_CONVERTED_MAX = 50_000


def _waiting_ticket(site: str, row: tickets.WaitingRow) -> WaitingTicket:
    key = (site, row)
    found = _converted.get(key)
    if found is None:
        ident, seq, issued, priority, slot_start = row
        settings = site_or_404(site).settings
        found = WaitingTicket(
            id=ident,
            seq=seq,
            issued_at=tickets.instant(issued),
            priority=cast(OptionalPriority, priority),
            booking_window=check_in_window(tickets.instant(slot_start), settings) if slot_start else None,
        )
        if len(_converted) >= _CONVERTED_MAX:
            _converted.clear()
        _converted[key] = found
    return found


def ordered_waiting(
    conn: Connection, hall: HallState, site: str, day: date, queue: str, now: datetime
) -> list[WaitingTicket]:
    settings = site_or_404(site).settings
    items = [_waiting_ticket(site, row) for row in tickets.waiting_for_order(conn, site, day, queue)]
    return order_waiting(items, now, timedelta(minutes=settings.queue_wait_cap_minutes))


def counters_open(hall: HallState, site: str, queue: str, now: datetime) -> int:
    plan = hall.calendars.site(site).day_plan(hall.calendars.site(site).local(now).date())
    current = [s for s in plan.staffed_sessions if s.start <= now < s.end]
    return max((s.rule.counters_for(queue) for s in current), default=0)


def tracking_url(hall: HallState, base_url: str, ticket_id: str) -> str:
    base = (hall.settings.public_base_url or base_url).rstrip("/")
    return f"{base}/t/{ticket_id}"


def describe(
    conn: Connection, hall: HallState, row: dict[str, Any], now: datetime, lang: str, base_url: str
) -> dict[str, Any]:
    """The ticket as docs/api.md shows it, with its place in the line computed now."""
    site = row["site"]
    entry = service_entry(row["service"])
    people_ahead = 0
    wait = 0
    if row["status"] == "waiting":
        order = ordered_waiting(conn, hall, site, row["day"], row["queue"], now)
        people_ahead = next((i for i, t in enumerate(order) if t.id == row["id"]), 0)
        recent = tickets.recent_service_seconds(conn, site, row["day"], row["queue"])
        wait = estimated_wait_s(
            people_ahead,
            counters_open(hall, site, row["queue"], now),
            recent,
            site_or_404(site).settings.default_service_seconds,
        )
    tz = site_or_404(site).tz
    return {
        "id": row["id"],
        "number": row["number"],
        "queue": row["queue"],
        "service": {"code": row["service"], "name": entry.name(lang) if entry else row["service"]},
        "site": site,
        "status": row["status"],
        "priority": row["priority"],
        "booking_id": row["booking_id"],
        "issued_at": row["issued_at"].astimezone(tz).isoformat(),
        "people_ahead": people_ahead,
        "estimated_wait_s": wait,
        "tracking_url": tracking_url(hall, base_url, row["id"]),
        "counter": row["counter"],
        "where": entry.where(lang) if entry else None,
        "transferred_to": row.get("transferred_to"),
    }


def issue(
    conn: Connection,
    hall: HallState,
    *,
    site: str,
    entry: ServiceEntry,
    now: datetime,
    priority: Priority | None = None,
    booking_id: str | None = None,
    slot_start: datetime | None = None,
    queue: str | None = None,
) -> dict[str, Any]:
    """Number and store a new waiting ticket (inside the caller's write transaction)."""
    cal = hall.calendars.site(site)
    day = cal.local(now).date()
    queue = queue or entry.queue
    seq = tickets.next_seq(conn, site, queue, day)
    return tickets.insert_ticket(
        conn,
        id=tickets.new_ticket_id(),
        site=site,
        queue=queue,
        day=day,
        seq=seq,
        number=ticket_number(queue, seq),
        service=entry.code,
        priority=priority,
        booking_id=booking_id,
        slot_start=slot_start,
        status="waiting",
        counter=None,
        issued_at=now,
        called_at=None,
        started_at=None,
        finished_at=None,
        transferred_to=None,
    )


def require_service(code: str) -> ServiceEntry:
    entry = service_entry(code)
    if entry is None:
        raise ApiError(422, "unknown_service", f"no service {code!r}")
    return entry
