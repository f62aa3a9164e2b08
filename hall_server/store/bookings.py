"""Bookings and the per-slot counters that keep capacity from being exceeded under any concurrency."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hall_server.store import models as m

B = m.bookings
S = m.slot_counters
ACTIVE = ("booked", "checked_in")


@dataclass(frozen=True)
class Booking:
    """A row of ``bookings``."""

    id: str
    site: str
    service: str
    slot_id: str
    day: date
    start: datetime
    end: datetime
    session: str
    id_number: str
    name: str
    phone: str | None
    channel: str
    status: str
    check_in_code: str
    ticket_id: str | None
    created_by: str
    created_at: datetime
    cancelled_at: datetime | None
    personal_erased_at: datetime | None = None


def _booking(row: Any) -> Booking:
    return Booking(**row._mapping)


def new_booking_id() -> str:
    return "b_" + secrets.token_urlsafe(12)


def ensure_slot_counter(
    conn: Connection, slot_id: str, site: str, service: str, start: datetime, capacity: int
) -> None:
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        dialect_insert(S)
        .values(slot_id=slot_id, site=site, service=service, start=start, capacity=capacity, booked=0)
        .on_conflict_do_nothing(index_elements=[S.c.slot_id])
    )


def slot_counters(
    conn: Connection, site: str, service: str, first: datetime, last: datetime
) -> dict[str, tuple[int, int]]:
    """{slot_id: (capacity, booked)} of the slots starting in [first, last)."""
    rows = conn.execute(
        select(S.c.slot_id, S.c.capacity, S.c.booked).where(
            S.c.site == site, S.c.service == service, S.c.start >= first, S.c.start < last
        )
    )
    return {r.slot_id: (r.capacity, r.booked) for r in rows}


def take_place(conn: Connection, slot_id: str) -> bool:
    """Book one place if one is left: a single conditional UPDATE, atomic on both databases."""
    result = conn.execute(
        update(S).where(S.c.slot_id == slot_id, S.c.booked < S.c.capacity).values(booked=S.c.booked + 1)
    )
    return result.rowcount == 1


def free_place(conn: Connection, slot_id: str) -> None:
    conn.execute(update(S).where(S.c.slot_id == slot_id, S.c.booked > 0).values(booked=S.c.booked - 1))


def set_capacity(conn: Connection, slot_id: str, capacity: int) -> tuple[int, int]:
    conn.execute(update(S).where(S.c.slot_id == slot_id).values(capacity=capacity))
    row = conn.execute(select(S.c.capacity, S.c.booked).where(S.c.slot_id == slot_id)).one()
    return row.capacity, row.booked


def insert_booking(conn: Connection, booking: Booking) -> Booking:
    conn.execute(insert(B).values(**asdict(booking)))
    return booking


def get(conn: Connection, booking_id: str) -> Booking | None:
    row = conn.execute(select(B).where(B.c.id == booking_id)).first()
    return None if row is None else _booking(row)


def active_of_person(conn: Connection, site: str, id_number: str, day: date) -> list[Booking]:
    rows = conn.execute(
        select(B).where(B.c.site == site, B.c.id_number == id_number, B.c.day == day, B.c.status.in_(ACTIVE))
    )
    return [_booking(r) for r in rows]


def booked_on_day(conn: Connection, site: str, day: date) -> list[Booking]:
    rows = conn.execute(select(B).where(B.c.site == site, B.c.day == day, B.c.status == "booked"))
    return [_booking(r) for r in rows]


def codes_taken(conn: Connection, site: str, day: date) -> set[str]:
    rows = conn.execute(
        select(B.c.check_in_code).where(B.c.site == site, B.c.day == day, B.c.status == "booked")
    )
    return {r[0] for r in rows}


def booked_started_before(conn: Connection, before: datetime, *, site: str | None = None,
                          id_number: str | None = None, limit: int = 500) -> list[Booking]:
    """Bookings still waiting for check-in whose slot started before ``before``, earliest first."""
    query = (select(B).where(B.c.status == "booked", B.c.start < before)
             .order_by(B.c.start, B.c.id).limit(limit))
    if site is not None:
        query = query.where(B.c.site == site)
    if id_number is not None:
        query = query.where(B.c.id_number == id_number)
    return [_booking(r) for r in conn.execute(query)]


def no_show_times(conn: Connection, site: str, id_number: str) -> list[datetime]:
    rows = conn.execute(
        select(B.c.start).where(B.c.site == site, B.c.id_number == id_number, B.c.status == "no_show")
    )
    return [r[0] for r in rows]


def set_status(conn: Connection, booking_id: str, expected: tuple[str, ...], **values: Any) -> bool:
    result = conn.execute(update(B).where(B.c.id == booking_id, B.c.status.in_(expected)).values(**values))
    return result.rowcount == 1


def booked_of_person(conn: Connection, site: str, id_number: str) -> list[Booking]:
    """The person's bookings at ``site`` still waiting for their check-in, earliest first."""
    rows = conn.execute(
        select(B)
        .where(B.c.site == site, B.c.id_number == id_number, B.c.status == "booked")
        .order_by(B.c.start, B.c.id)
    )
    return [_booking(r) for r in rows]
