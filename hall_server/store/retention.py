"""Erasing the personal fields of bookings: ID number masked, name and phone cleared; the rest stays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update

from citizen_id.masking import mask_id_number
from hall_server.store import audit
from hall_server.store import models as m

B = m.bookings
ERASED_NAME = ""
AUDIT_KIND = "booking_personal_data_erased"


def erase_booking(conn: Connection, booking_id: str, now: datetime, why: str) -> bool:
    """Erase one booking's personal fields (once); the audit keeps the masked ID number and why."""
    row = conn.execute(select(B.c.id, B.c.site, B.c.id_number)
                       .where(B.c.id == booking_id, B.c.personal_erased_at.is_(None))).first()
    if row is None:
        return False
    masked = mask_id_number(row.id_number)
    conn.execute(update(B).where(B.c.id == booking_id)
                 .values(id_number=masked, name=ERASED_NAME, phone=None, personal_erased_at=now))
    audit.log_query(conn, now, why, row.site, AUDIT_KIND, masked, 1)
    return True


def sites_with_personal_data(conn: Connection) -> list[str]:
    rows = conn.execute(select(B.c.site).where(B.c.personal_erased_at.is_(None)).distinct())
    return [str(r[0]) for r in rows]


def due_for_erasure(conn: Connection, site: str, ended_before: datetime,
                    no_show_ended_before: datetime, limit: int = 500) -> list[str]:
    """Bookings of ``site`` still holding personal data whose slot ended before the cut-off.

    No-shows have their own, possibly later, cut-off: the no-show rule counts them by ID number.
    """
    rows = conn.execute(select(B.c.id).where(
        B.c.site == site, B.c.personal_erased_at.is_(None),
        ((B.c.status == "no_show") & (B.c.end < no_show_ended_before))
        | ((B.c.status != "no_show") & (B.c.end < ended_before)),
    ).limit(limit))
    return [str(r[0]) for r in rows]


def mark_unused_as_missed(conn: Connection, site: str, ended_before: datetime) -> None:
    """Bookings never checked in whose slot is long over are no-shows (statistics keep that status)."""
    conn.execute(update(B).where(B.c.site == site, B.c.status == "booked", B.c.end < ended_before)
                 .values(status="no_show"))
