"""Data kept: a booking's ID number, name and phone are erased days after its slot and at once on cancel;
what statistics need stays, the audit keeps the masked ID number."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from citizen_id.masking import mask_id_number
from hall_server.store import audit
from hall_server.store import models as m
from hall_server.usecases import retention

from .conftest import Hall
from .test_hall_bookings import book, owner, person

pytestmark = pytest.mark.db
SLOT = "HQ:SB-001:2026-11-26T09:00"


def row(hall: Hall, booking_id: str) -> Any:
    with hall.db.read() as conn:
        return conn.execute(select(m.bookings).where(m.bookings.c.id == booking_id)).one()


def erased_audit(hall: Hall) -> list[audit.AuditEntry]:
    with hall.db.read() as conn:
        return [e for e in audit.recent(conn, 50) if e.kind == "booking_personal_data_erased"]


def test_personal_fields_go_thirty_days_after_the_slot(hall: Hall) -> None:
    who = {**person(3), "phone": "13800138000"}
    booking = book(hall, SLOT, who).json()
    hall.clock.advance(timedelta(days=30))  # the slot was on the 26th, it is now Christmas: not yet
    assert retention.erase_expired(hall.app.state.hall) == 0
    kept = row(hall, booking["id"])
    assert kept.id_number == who["id_number"] and kept.name == who["name"] and kept.phone == who["phone"]
    hall.clock.advance(timedelta(days=1, hours=1))
    assert retention.erase_expired(hall.app.state.hall) == 1
    gone = row(hall, booking["id"])
    assert gone.id_number == mask_id_number(who["id_number"]) and gone.name == "" and gone.phone is None
    # What statistics need stays; the booking, never checked in, is counted as a no-show.
    assert (gone.service, gone.slot_id, gone.status) == ("SB-001", SLOT, "no_show")
    assert gone.start is not None and gone.created_at is not None and gone.personal_erased_at is not None
    assert [e.id_number_masked for e in erased_audit(hall)] == [mask_id_number(who["id_number"])]
    assert retention.erase_expired(hall.app.state.hall) == 0


def test_a_cancelled_booking_is_erased_at_once(hall: Hall) -> None:
    who = {**person(4), "phone": "13800138001"}
    booking = book(hall, SLOT, who).json()
    cancelled = hall.kiosk().request("DELETE", f"/bookings/{booking['id']}", json=owner(who))
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    gone = row(hall, booking["id"])
    assert gone.id_number == mask_id_number(who["id_number"]) and gone.name == "" and gone.phone is None
    assert gone.status == "cancelled" and gone.cancelled_at is not None
    assert erased_audit(hall)[0].caller == "cancelled"


def test_erased_rows_do_not_block_new_bookings_of_people_with_the_same_mask(hall: Hall) -> None:
    first = book(hall, SLOT, person(5)).json()
    hall.kiosk().request("DELETE", f"/bookings/{first['id']}", json=owner(person(5)))
    assert book(hall, SLOT, person(5)).status_code == 201


def test_the_hall_erases_at_start(hall_with: Callable[..., Hall]) -> None:
    hall = hall_with()
    booking = book(hall, SLOT, person(6)).json()
    hall.clock.advance(timedelta(days=40))
    sweep = hall.app.router.lifespan_context  # the hall's own periodic task erases on start

    async def restart() -> None:
        async with sweep(hall.app):
            for _ in range(100):
                if row(hall, booking["id"]).personal_erased_at is not None:
                    return
                await asyncio.sleep(0.05)

    asyncio.run(restart())
    assert row(hall, booking["id"]).name == ""
