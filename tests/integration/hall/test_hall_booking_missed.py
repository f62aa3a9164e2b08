"""A booking whose check-in window closed unused is recorded as missed exactly once, on the hall's driven
clock: by the server's sweep, by the person's next booking (which needs the no-shows at once), by two sweeps
at the same instant; a booking checked in, or still inside its window, is never missed."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from citizen_id.id_number import make_id_number
from hall_server.usecases.missed_bookings import sweep_missed

from .conftest import Hall, local

pytestmark = pytest.mark.db


def person(n: int) -> dict[str, str]:
    return {"id_number": make_id_number(sequence=300 + n), "name": "李四"}


def book(hall: Hall, slot: str, who: dict[str, str]) -> dict[str, Any]:
    reply = hall.kiosk().post("/bookings", json={"service": "SB-001", "slot_id": slot, "citizen": who,
                                                 "channel": "kiosk"})
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def missed(hall: Hall) -> list[tuple[Any, ...]]:
    """The booking_missed events: subject, instant (hall time), service, department, channel."""
    from hall_server.store import models as m

    e = m.events
    with hall.db.read() as conn:
        rows = conn.execute(select(e.c.subject, e.c.at, e.c.service, e.c.department, e.c.detail)
                            .where(e.c.kind == "booking_missed").order_by(e.c.id)).all()
    return [(subject, at.astimezone(local(2026, 1, 1).tzinfo).strftime("%m-%d %H:%M"), *rest)
            for subject, at, *rest in rows]


def status(hall: Hall, booking: dict[str, Any]) -> str:
    return str(hall.kiosk().get(f"/bookings/{booking['id']}").json()["status"])


def test_the_sweep_marks_a_closed_window_once_and_never_a_checked_in_or_open_one(hall: Hall) -> None:
    state = hall.app.state.hall
    first = book(hall, "HQ:SB-001:2026-11-25T14:00", person(1))
    served = book(hall, "HQ:SB-001:2026-11-25T14:30", person(2))
    later = book(hall, "HQ:SB-001:2026-11-25T15:00", person(3))

    hall.clock.set(local(2026, 11, 25, 14, 14, 59))  # 14:00 + 15 minutes of check-in: not closed yet
    sweep_missed(state)
    assert missed(hall) == [] and status(hall, first) == "booked"
    hall.clock.set(local(2026, 11, 25, 14, 20))
    sweep_missed(state)
    checked = hall.kiosk().post("/bookings/check-in", json={"check_in_code": served["check_in_code"]})
    assert checked.status_code == 201, checked.text
    # Dated when the window closed (14:15), not when the sweep saw it.
    assert missed(hall) == [(first["id"], "11-25 14:15", "SB-001", "HRSS", "kiosk")]
    assert status(hall, first) == "no_show"

    hall.clock.set(local(2026, 11, 25, 17, 0))
    for _ in range(3):
        sweep_missed(state)
    assert [m[:2] for m in missed(hall)] == [(first["id"], "11-25 14:15"), (later["id"], "11-25 15:15")]
    assert status(hall, served) == "checked_in"
    # No personal data in the events: neither the ID number nor the name.
    assert person(1)["id_number"] not in str(missed(hall)) and "李四" not in str(missed(hall))


def test_the_next_booking_of_the_person_and_the_sweep_mark_it_once_between_them(hall: Hall) -> None:
    who = person(4)
    gone = book(hall, "HQ:SB-001:2026-11-25T14:00", who)
    hall.clock.set(local(2026, 11, 25, 16, 0))
    book(hall, "HQ:SB-001:2026-11-26T09:00", who)  # judging this booking marks the first one missed
    assert [m[0] for m in missed(hall)] == [gone["id"]]
    sweep_missed(hall.app.state.hall)
    assert [m[0] for m in missed(hall)] == [gone["id"]]


def test_two_sweeps_at_the_same_instant_record_it_once(hall: Hall) -> None:
    bookings = [book(hall, f"HQ:SB-001:2026-11-25T{h}:00", person(10 + n)) for n, h in enumerate((14, 15))]
    hall.clock.set(local(2026, 11, 25, 18, 0))
    state = hall.app.state.hall
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep() -> None:
        start.wait()
        try:
            sweep_missed(state)
        except BaseException as exc:  # a lost race must not be an error either
            errors.append(exc)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(m[0] for m in missed(hall)) == sorted(b["id"] for b in bookings)
