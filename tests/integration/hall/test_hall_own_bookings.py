"""A person's own bookings at a kiosk through the HTTP API: listed, cancelled and moved only for the person
shown present, moved by every rule a new booking meets, atomically and once under concurrency."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hall_server.store import identities
from hall_server.store import models as m

from .conftest import Hall, local
from .identity_helpers import IDENTITY, ZHANG_WEI, eid
from .test_hall_bookings import book, code_of, owner, person
from .test_hall_concurrency import together

pytestmark = pytest.mark.db
THU_9 = "HQ:SB-001:2026-11-26T09:00"
THU_10 = "HQ:SB-001:2026-11-26T10:00"


def mine(client: httpx.Client, who: dict[str, Any], lang: str = "zh-Hans") -> httpx.Response:
    return client.post("/bookings/mine", json=who, params={"lang": lang})


def move(client: httpx.Client, booking_id: str, slot: str, who: dict[str, Any], key: str | None = None,
         ) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"/bookings/{booking_id}/move", json={**who, "slot_id": slot}, headers=headers)


def remaining(hall: Hall, slot: str) -> int:
    day = slot.split(":", 2)[2][:10]
    slots = hall.kiosk().get("/sites/HQ/slots", params={"service": slot.split(":")[1], "date": day}).json()
    return int(next(s for s in slots["slots"] if s["id"] == slot)["remaining"])


def status(hall: Hall, booking_id: str) -> str:
    return str(hall.kiosk().get(f"/bookings/{booking_id}").json()["status"])


def audit_kinds(hall: Hall) -> list[str]:
    with hall.db.read() as conn:
        return [r.kind for r in conn.execute(select(m.record_audit.c.kind))]


def test_the_list_holds_the_persons_coming_bookings_only_with_what_may_be_done(hall: Hall) -> None:
    me, other = person(1), person(2)
    later = book(hall, "HQ:SB-001:2026-11-27T14:00", me).json()
    sooner = book(hall, THU_10, me).json()
    book(hall, "HQ:SB-001:2026-11-26T11:00", other)
    gone = book(hall, "HQ:SB-001:2026-11-30T09:00", me).json()
    hall.kiosk().request("DELETE", f"/bookings/{gone['id']}", json=owner(me))
    reply = mine(hall.kiosk(), owner(me), "en")
    assert reply.status_code == 200, reply.text
    listed = reply.json()["bookings"]
    assert [b["id"] for b in listed] == [sooner["id"], later["id"]]
    first = listed[0]
    assert first["check_in_code"] == sooner["check_in_code"] and first["service"]["name"] != ""
    assert first["service"]["name"] != sooner["service"]["name"]  # English asked, Chinese booked
    assert first["session_name"] and first["movable"] is True
    assert first["move_cutoff"] == "2026-11-26T09:30:00+08:00"
    assert first["citizen"]["id_number_masked"] != me["id_number"]
    # The listing is audited like a record query (the ID number masked).
    assert audit_kinds(hall)[-1] == "own_bookings"


def test_a_booking_past_its_cutoff_is_listed_but_not_movable_and_missed_ones_drop_out(hall: Hall) -> None:
    me = person(1)
    booked = book(hall, "HQ:SB-001:2026-11-25T14:00", me).json()
    hall.clock.set(local(2026, 11, 25, 13, 45))
    listed = mine(hall.kiosk(), owner(me)).json()["bookings"]
    assert [(b["id"], b["movable"]) for b in listed] == [(booked["id"], False)]
    hall.clock.set(local(2026, 11, 25, 14, 16))  # the check-in window closed: a no-show
    assert mine(hall.kiosk(), owner(me)).json()["bookings"] == []


def test_without_a_proof_nothing_is_listed_cancelled_or_moved(hall: Hall) -> None:
    me = person(1)
    booked = book(hall, THU_9, me).json()
    bare = {"id_number": me["id_number"], "name": me["name"]}
    for reply in (
        mine(hall.kiosk(), bare),
        hall.kiosk().delete(f"/bookings/{booked['id']}"),
        hall.kiosk().request("DELETE", f"/bookings/{booked['id']}", json=bare),
        move(hall.kiosk(), booked["id"], THU_10, bare),
    ):
        assert (reply.status_code, code_of(reply)) == (403, "proof_required"), reply.text
    # Records' rule: only a kiosk attests a card; staff list nothing here at all.
    assert mine(hall.staff("counter1"), owner(me)).status_code == 403
    assert status(hall, booked["id"]) == "booked" and remaining(hall, THU_9) == 5


def test_a_stranger_cannot_cancel_or_move_anothers_booking_by_its_id(hall: Hall) -> None:
    me, stranger = person(1), person(2)
    booked = book(hall, THU_9, me).json()
    unknown = hall.kiosk().request("DELETE", "/bookings/b_unknownbooking", json=owner(stranger))
    for reply in (
        hall.kiosk().request("DELETE", f"/bookings/{booked['id']}", json=owner(stranger)),
        move(hall.kiosk(), booked["id"], THU_10, owner(stranger)),
    ):
        # The very answer an unknown id gets: guessing ids tells a stranger nothing.
        assert (reply.status_code, reply.json()) == (404, unknown.json())
    assert status(hall, booked["id"]) == "booked"
    assert remaining(hall, THU_9) == 5 and remaining(hall, THU_10) == 6
    assert mine(hall.kiosk(), owner(stranger)).json()["bookings"] == []
    cancelled = hall.kiosk().request("DELETE", f"/bookings/{booked['id']}", json=owner(me))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert remaining(hall, THU_9) == 6


def test_an_eid_proves_the_person_and_another_persons_eid_does_not(hall_with: Callable[..., Hall],
                                                                    tmp_path: Path) -> None:
    hall = hall_with(**IDENTITY)
    zhang = {"id_number": ZHANG_WEI[0], "name": ZHANG_WEI[1]}
    booked = book(hall, THU_9, zhang).json()
    now = hall.clock.now()
    listed = mine(hall.kiosk(), {**zhang, "proof": eid(tmp_path, *ZHANG_WEI, now)})
    assert [b["id"] for b in listed.json()["bookings"]] == [booked["id"]]
    forged = {**zhang, "proof": eid(tmp_path, "110105199007074568", "刘喆", now)}
    reply = move(hall.kiosk(), booked["id"], THU_10, forged)
    assert (reply.status_code, code_of(reply)) == (403, "identity_not_verified")
    assert status(hall, booked["id"]) == "booked"


def test_moving_frees_the_old_place_and_gives_a_new_booking_with_its_own_code(hall: Hall) -> None:
    me = person(1)
    booked = book(hall, THU_9, me).json()
    # Within the same day: the booking being moved does not count as a second one.
    reply = move(hall.kiosk(), booked["id"], THU_10, owner(me))
    assert reply.status_code == 201, reply.text
    moved = reply.json()
    assert moved["replaces"] == booked["id"] and moved["id"] != booked["id"]
    assert moved["slot_id"] == THU_10 and moved["status"] == "booked" and moved["session_name"]
    assert moved["qr_payload"] == f"GOVBK1:{moved['id']}:{moved['check_in_code']}"
    assert status(hall, booked["id"]) == "cancelled"
    assert remaining(hall, THU_9) == 6 and remaining(hall, THU_10) == 5
    assert [b["id"] for b in mine(hall.kiosk(), owner(me)).json()["bookings"]] == [moved["id"]]
    # The earlier slip stops working: its QR names the cancelled booking.
    hall.clock.set(local(2026, 11, 26, 8, 45))
    old = hall.kiosk().post("/bookings/check-in", json={"qr_payload": booked["qr_payload"]})
    assert (old.status_code, code_of(old)) == (404, "booking_not_found")
    # To another day, and once more: a moved booking moves like any other.
    again = move(hall.kiosk(), moved["id"], "HQ:SB-001:2026-11-27T09:00", owner(me))
    assert again.status_code == 201 and again.json()["replaces"] == moved["id"]


@pytest.mark.parametrize(
    ("slot", "status_code", "code"),
    [
        ("HQ:SB-001:2026-11-25T10:00", 422, "cutoff_passed"),  # now is 10:00: past its cut-off
        ("HQ:SB-001:2026-11-29T09:00", 422, "closed_day"),  # a Sunday
        ("HQ:SB-001:2026-12-28T09:00", 422, "beyond_horizon"),
        ("HQ:SB-002:2026-11-26T10:00", 422, "unknown_slot"),  # another service
        ("HQ:SB-001:2026-11-26T09:10", 422, "unknown_slot"),
        (THU_9, 409, "same_slot"),
        ("HQ:SB-001:2026-11-27T09:00", 409, "duplicate_booking"),  # the person's other booking that day
    ],
)
def test_a_move_refused_by_the_rules_leaves_everything_as_it_was(
    hall: Hall, slot: str, status_code: int, code: str
) -> None:
    me = person(1)
    booked = book(hall, THU_9, me).json()
    assert book(hall, "HQ:SB-001:2026-11-27T14:00", me).status_code == 201
    reply = move(hall.kiosk(), booked["id"], slot, owner(me))
    assert (reply.status_code, code_of(reply)) == (status_code, code), reply.text
    assert status(hall, booked["id"]) == "booked" and remaining(hall, THU_9) == 5
    assert len(mine(hall.kiosk(), owner(me)).json()["bookings"]) == 2


def test_moving_past_the_bookings_own_cutoff_is_refused_but_cancelling_is_not(hall: Hall) -> None:
    me = person(1)
    booked = book(hall, "HQ:SB-001:2026-11-25T14:00", me).json()
    hall.clock.set(local(2026, 11, 25, 13, 31))  # its cut-off was 13:30
    reply = move(hall.kiosk(), booked["id"], THU_10, owner(me))
    assert (reply.status_code, code_of(reply)) == (422, "move_closed")
    assert status(hall, booked["id"]) == "booked" and remaining(hall, THU_10) == 6
    cancelled = hall.kiosk().request("DELETE", f"/bookings/{booked['id']}", json=owner(me))
    assert cancelled.json()["status"] == "cancelled"


def test_a_move_into_a_full_slot_keeps_the_booking_and_suspension_applies(hall: Hall) -> None:
    me = person(1)
    booked = book(hall, THU_9, me).json()
    assert hall.staff("counter1").put(f"/slots/{THU_10}/capacity", json={"capacity": 0}).status_code == 200
    reply = move(hall.kiosk(), booked["id"], THU_10, owner(me))
    assert (reply.status_code, code_of(reply)) == (409, "slot_full")
    assert status(hall, booked["id"]) == "booked" and remaining(hall, THU_9) == 5
    # Three missed bookings in 30 days suspend booking: a move books, so it is suspended too.
    late = person(5)
    for day in ("2026-11-26", "2026-11-27", "2026-11-30"):
        assert book(hall, f"HQ:SB-001:{day}T09:00", late).status_code == 201
    kept = book(hall, "HQ:SB-001:2026-12-03T09:00", late).json()
    hall.clock.set(local(2026, 12, 1, 10, 0))
    reply = move(hall.kiosk(), kept["id"], "HQ:SB-001:2026-12-04T09:00", owner(late))
    assert (reply.status_code, code_of(reply)) == (403, "booking_suspended")
    assert status(hall, kept["id"]) == "booked"


def test_a_retried_move_answers_the_first_result_and_moves_once(hall: Hall) -> None:
    me = person(1)
    booked = book(hall, THU_9, me).json()
    first = move(hall.kiosk(), booked["id"], THU_10, owner(me), key="move-1")
    second = move(hall.kiosk(), booked["id"], THU_10, owner(me), key="move-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and second.headers.get("Idempotent-Replayed") == "true"
    assert remaining(hall, THU_10) == 5 and remaining(hall, THU_9) == 6
    other = move(hall.kiosk(), first.json()["id"], "HQ:SB-001:2026-11-26T11:00", owner(me), key="move-1")
    assert (other.status_code, code_of(other)) == (422, "idempotency_key_reused")
    # A cancel retried with its key answers the cancelled booking again (its owner is erased by then).
    path = f"/bookings/{first.json()['id']}"
    keyed = {"Idempotency-Key": "cancel-1"}
    once = hall.kiosk().request("DELETE", path, json=owner(me), headers=keyed)
    twice = hall.kiosk().request("DELETE", path, json=owner(me), headers=keyed)
    assert once.status_code == twice.status_code == 200 and once.json() == twice.json()


def test_two_kiosks_moving_into_the_last_place_only_one_wins(hall: Hall) -> None:
    with hall.db.write() as conn:
        second_kiosk = identities.add_kiosk(conn, "kiosk-02", "HQ", hall.clock.now())
    tokens = (hall.kiosk_token, second_kiosk)
    people = (person(1), person(2))
    booked = [book(hall, THU_9, who).json() for who in people]
    assert hall.staff("counter1").put(f"/slots/{THU_10}/capacity", json={"capacity": 1}).status_code == 200

    def moving(client: httpx.Client, i: int) -> httpx.Response:
        client.headers["Authorization"] = f"Bearer {tokens[i]}"
        return move(client, booked[i]["id"], THU_10, owner(people[i]))

    replies = together(2, hall, moving)
    outcomes = Counter((r.status_code, r.json().get("error", {}).get("code")) for r in replies)
    assert outcomes == {(201, None): 1, (409, "slot_full"): 1}
    loser = next(i for i, r in enumerate(replies) if r.status_code == 409)
    winner = 1 - loser
    assert status(hall, booked[loser]["id"]) == "booked"
    assert status(hall, booked[winner]["id"]) == "cancelled"
    assert remaining(hall, THU_10) == 0 and remaining(hall, THU_9) == 5
    with hall.db.read() as conn:
        counted = conn.execute(select(m.slot_counters.c.booked).where(m.slot_counters.c.slot_id == THU_10))
        assert counted.scalar_one() == 1


def test_every_booking_answer_names_the_service_and_place_as_an_admin_edited_them(hall: Hall) -> None:
    me = person(5)
    booked = book(hall, THU_9, me).json()
    shipped = booked["service"]["name"]
    edit = {"texts": {"zh-Hans": {"name": "养老保险权益记录单（已修改）", "where": "二楼C区 1-4号窗口"},
                      "en": {"name": "Pension Statement (edited)"}}}
    assert hall.staff("admin").put("/admin/services/SB-001", json=edit).status_code == 200
    assert shipped != "养老保险权益记录单（已修改）"

    kiosk = hall.kiosk()
    made = book(hall, "HQ:SB-001:2026-11-27T09:00", person(6)).json()
    read = kiosk.get(f"/bookings/{booked['id']}").json()
    english = kiosk.get(f"/bookings/{booked['id']}", params={"lang": "en"}).json()
    listed = mine(kiosk, owner(me)).json()["bookings"]
    moved = move(kiosk, booked["id"], THU_10, owner(me)).json()
    cancelled = kiosk.request("DELETE", f"/bookings/{moved['id']}", json=owner(me)).json()
    for answer in (made, read, *listed, moved, cancelled):
        assert answer["service"] == {"code": "SB-001", "name": "养老保险权益记录单（已修改）"}, answer
        assert answer["where"] == "二楼C区 1-4号窗口"
    # A language the admin left alone keeps its shipped place; the edited name is the one asked.
    assert english["service"]["name"] == "Pension Statement (edited)"
    assert english["where"] == kiosk.get("/services/SB-001", params={"lang": "en"}).json()["guide"]["where"]
