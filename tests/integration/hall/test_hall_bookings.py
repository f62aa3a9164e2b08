"""Bookings through the HTTP API: cut-offs, holidays, adjusted working days, unpublished years, capacity,
duplicates, cancellation, check-in windows, no-show suspension and idempotent retries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from citizen_id.id_number import make_id_number
from hall_server.store import identities

from .conftest import Hall, local

pytestmark = pytest.mark.db


def person(n: int = 1) -> dict[str, str]:
    return {"id_number": make_id_number(sequence=100 + n), "name": f"张{'三四五六七八九十'[n % 8]}"}


def book(
    hall: Hall,
    slot: str,
    who: dict[str, str] | None = None,
    service: str = "SB-001",
    key: str | None = None,
    client: Any = None,
) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    body = {"service": service, "slot_id": slot, "citizen": who or person(), "channel": "kiosk"}
    return (client or hall.kiosk()).post("/bookings", json=body, headers=headers)


def owner(who: dict[str, str]) -> dict[str, Any]:
    """The body a kiosk cancels with: whose the booking is, and that the kiosk read their card."""
    return {"id_number": who["id_number"], "name": who["name"], "proof": {"type": "card"}}


def code_of(reply: Any) -> str:
    return reply.json()["error"]["code"]


def test_booking_happy_path_and_read_back(hall: Hall) -> None:
    reply = book(hall, "HQ:SB-001:2026-11-26T09:00")
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert body["status"] == "booked" and body["site"] == "HQ" and body["session"] == "regular"
    assert body["start"] == "2026-11-26T09:00:00+08:00" and body["end"] == "2026-11-26T09:30:00+08:00"
    assert (
        len(body["check_in_code"]) == 6
        and body["qr_payload"] == f"GOVBK1:{body['id']}:{body['check_in_code']}"
    )
    assert body["citizen"] == {
        "name_masked": "张*",
        "id_number_masked": person()["id_number"][:4] + "*" * 10 + person()["id_number"][-4:],
    }
    assert body["where"] == "一楼B区 15-24号窗口"
    again = hall.kiosk().get(f"/bookings/{body['id']}")
    assert again.json() == body
    slots = hall.kiosk().get("/sites/HQ/slots", params={"service": "SB-001", "date": "2026-11-26"}).json()
    first = slots["slots"][0]
    assert first["id"] == "HQ:SB-001:2026-11-26T09:00" and first["capacity"] == 6 and first["remaining"] == 5


def test_a_booking_read_back_names_its_service_and_place_in_the_language_asked(hall: Hall) -> None:
    booked = book(hall, "HQ:SB-001:2026-11-26T09:30").json()
    for lang in ("en", "zh-Hant", "zh-Hans"):
        service = hall.kiosk().get("/services/SB-001", params={"lang": lang}).json()
        again = hall.kiosk().get(f"/bookings/{booked['id']}", params={"lang": lang}).json()
        assert again["service"] == {"code": "SB-001", "name": service["name"]}
        assert again["where"] == service["guide"]["where"]
        # Only the words change: the same booking, code and QR.
        unchanged = ("id", "check_in_code", "qr_payload", "start", "end", "status", "citizen")
        assert {k: again[k] for k in unchanged} == {k: booked[k] for k in unchanged}
    english = hall.kiosk().get(f"/bookings/{booked['id']}", params={"lang": "en"}).json()
    assert english["service"]["name"] != booked["service"]["name"]
    assert english["where"] != booked["where"]


@pytest.mark.parametrize(
    ("slot", "code"),
    [
        ("HQ:SB-001:2026-11-26T09:10", "unknown_slot"),
        ("nonsense", "unknown_slot"),
        ("HQ:XX-999:2026-11-26T09:00", "unknown_slot"),
    ],
)
def test_bad_slots_are_refused(hall: Hall, slot: str, code: str) -> None:
    reply = book(hall, slot)
    assert (reply.status_code, code_of(reply)) == (422, code)


def test_invalid_id_number_and_unknown_service(hall: Hall) -> None:
    who = {"id_number": "110101199003074478", "name": "张三"}
    reply = book(hall, "HQ:SB-001:2026-11-26T09:00", who)
    assert (reply.status_code, code_of(reply)) == (422, "invalid_id_number")
    assert reply.json()["error"]["details"] == {"reason": "check_digit"}
    reply = book(hall, "HQ:XX-999:2026-11-26T09:00", service="XX-999")
    assert (reply.status_code, code_of(reply)) == (422, "unknown_service")


@pytest.mark.parametrize(("hour", "minute", "ok"), [(11, 59, True), (12, 1, False)])
def test_wednesday_evening_cutoff_is_noon_that_day(hall: Hall, hour: int, minute: int, ok: bool) -> None:
    hall.clock.set(local(2026, 11, 25, hour, minute))
    reply = book(hall, "HQ:SB-001:2026-11-25T17:00")
    if ok:
        assert reply.status_code == 201 and reply.json()["session"] == "evening"
    else:
        assert (reply.status_code, code_of(reply)) == (422, "cutoff_passed")


@pytest.mark.parametrize(("hour", "minute", "ok"), [(11, 59, True), (12, 1, False)])
def test_saturday_morning_cutoff_is_friday_noon(hall: Hall, hour: int, minute: int, ok: bool) -> None:
    hall.clock.set(local(2026, 11, 27, hour, minute))
    reply = book(hall, "HQ:SB-001:2026-11-28T09:00")
    if ok:
        assert reply.status_code == 201 and reply.json()["session"] == "morning"
    else:
        assert (reply.status_code, code_of(reply)) == (422, "cutoff_passed")


def test_a_statutory_holiday_wednesday_has_no_sessions_and_refuses_bookings(hall: Hall) -> None:
    hall.clock.set(local(2026, 9, 28, 10, 0))
    days = (
        hall.kiosk()
        .get("/sites/HQ/calendar", params={"from": "2026-10-07", "to": "2026-10-07"})
        .json()["days"]
    )
    assert days[0]["holiday"] == "国庆节" and days[0]["workday"] is False
    assert [s["kind"] for s in days[0]["sessions"]] == ["self_service"]
    slots = hall.kiosk().get("/sites/HQ/slots", params={"service": "SB-001", "date": "2026-10-07"}).json()
    assert slots["slots"] == []
    reply = book(hall, "HQ:SB-001:2026-10-07T17:00")
    assert (reply.status_code, code_of(reply)) == (422, "closed_day")


def test_an_adjusted_working_saturday_runs_the_regular_day(hall: Hall) -> None:
    hall.clock.set(local(2026, 10, 9, 12, 1))  # past the Saturday-morning cut-off, which does not apply
    day = (
        hall.kiosk()
        .get("/sites/HQ/calendar", params={"from": "2026-10-10", "to": "2026-10-10"})
        .json()["days"][0]
    )
    assert day["workday"] is True and day["adjusted_workday"] is True
    assert [s["kind"] for s in day["sessions"] if s["kind"] != "self_service"] == ["regular", "regular"]
    reply = book(hall, "HQ:SB-001:2026-10-10T09:00")
    assert reply.status_code == 201 and reply.json()["session"] == "regular"


CALENDAR_2027 = """
year = 2027

[[holidays]]
key = "new_years_day"
start = 2027-01-01
end = 2027-01-03
"""


def test_an_unpublished_year_is_unconfirmed_until_its_calendar_is_loaded(hall: Hall) -> None:
    hall.clock.set(local(2026, 12, 28, 10, 0))
    kiosk = hall.kiosk()
    params = {"from": "2027-01-01", "to": "2027-01-05"}
    before = kiosk.get("/sites/HQ/calendar", params=params).json()["days"]
    assert all(d["calendar_confirmed"] is False for d in before)
    assert before[0]["holiday"] is None and before[0]["workday"] is True  # weekday rules only
    slots = kiosk.get("/sites/HQ/slots", params={"service": "SB-001", "date": "2027-01-05"}).json()
    assert slots["calendar_confirmed"] is False
    assert {s["reason"] for s in slots["slots"]} == {"calendar_unconfirmed"}
    reply = book(hall, "HQ:SB-001:2027-01-05T09:00")
    assert (reply.status_code, code_of(reply)) == (422, "calendar_unconfirmed")

    bad = hall.staff("admin").post("/calendars", json={"toml": "year = 2027\n[[holidays]]\nkey = 3\n"})
    assert bad.status_code == 422 and bad.json()["error"]["code"].startswith("calendar_")
    loaded = hall.staff("admin").post("/calendars", json={"toml": CALENDAR_2027})
    assert loaded.status_code == 201 and loaded.json() == {
        "year": 2027,
        "holidays": 3,
        "adjusted_workdays": 0,
    }

    after = kiosk.get("/sites/HQ/calendar", params=params).json()["days"]
    assert all(d["calendar_confirmed"] is True for d in after)
    assert after[0]["holiday"] == "元旦" and after[0]["sessions"][0]["kind"] == "self_service"
    reply = book(hall, "HQ:SB-001:2027-01-05T09:00")
    assert reply.status_code == 201
    reply = book(hall, "HQ:SB-001:2027-01-01T09:00", person(2))
    assert (reply.status_code, code_of(reply)) == (422, "closed_day")


def test_one_active_booking_per_person_service_and_day(hall: Hall) -> None:
    assert book(hall, "HQ:SB-001:2026-11-26T09:00").status_code == 201
    reply = book(hall, "HQ:SB-001:2026-11-26T14:00")
    assert (reply.status_code, code_of(reply)) == (409, "duplicate_booking")
    assert book(hall, "HQ:SB-001:2026-11-27T09:00").status_code == 201  # another day


def test_capacity_change_full_slot_and_cancellation_frees_the_place(hall: Hall) -> None:
    slot = "HQ:SB-001:2026-11-26T10:00"
    staff = hall.staff("counter1")
    changed = staff.put(f"/slots/{slot}/capacity", json={"capacity": 1})
    assert changed.json() == {"id": slot, "capacity": 1, "booked": 0, "remaining": 1}
    first = book(hall, slot, person(1))
    assert first.status_code == 201
    full = book(hall, slot, person(2))
    assert (full.status_code, code_of(full)) == (409, "slot_full")
    below = staff.put(f"/slots/{slot}/capacity", json={"capacity": 0})
    assert (below.status_code, code_of(below)) == (409, "capacity_below_booked")
    # A kiosk cancels for the person present; staff for anyone (and cancelling twice is no error).
    cancelled = hall.kiosk().request("DELETE", f"/bookings/{first.json()['id']}", json=owner(person()))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert hall.staff("counter1").delete(f"/bookings/{first.json()['id']}").json()["status"] == "cancelled"
    assert book(hall, slot, person(2)).status_code == 201
    slots = (
        hall.kiosk()
        .get("/sites/HQ/slots", params={"service": "SB-001", "date": "2026-11-26"})
        .json()["slots"]
    )
    entry = next(s for s in slots if s["id"] == slot)
    assert (entry["capacity"], entry["remaining"], entry["bookable"], entry["reason"]) == (
        1,
        0,
        False,
        "slot_full",
    )


def test_check_in_window_and_booking_served_before_walk_ins(hall: Hall) -> None:
    booking = book(hall, "HQ:SB-001:2026-11-25T14:00").json()
    hall.clock.set(local(2026, 11, 25, 13, 10))  # not yet waiting the 30-minute cap at 13:30
    walk_in = hall.kiosk().post("/tickets", json={"service": "SB-001"}).json()
    hall.clock.set(local(2026, 11, 25, 13, 29))
    early = hall.kiosk().post("/bookings/check-in", json={"check_in_code": booking["check_in_code"]})
    assert (early.status_code, code_of(early)) == (422, "too_early")
    # The refusal says when the window opens and closes, in hall time (30 min before to 15 after).
    window = early.json()["error"]["details"]
    assert window == {
        "check_in_opens": "2026-11-25T13:30:00+08:00", "check_in_closes": "2026-11-25T14:15:00+08:00"
    }
    hall.clock.set(local(2026, 11, 25, 13, 30))
    ticket = hall.kiosk().post("/bookings/check-in", json={"check_in_code": booking["check_in_code"]})
    assert ticket.status_code == 201, ticket.text
    assert ticket.json()["booking_id"] == booking["id"] and ticket.json()["people_ahead"] == 0
    again = hall.kiosk().post("/bookings/check-in", json={"qr_payload": booking["qr_payload"]})
    assert (again.status_code, code_of(again)) == (409, "already_checked_in")
    called = hall.staff("counter1").post("/counters/c1/call-next", params={"site": "HQ"}).json()
    assert called["id"] == ticket.json()["id"] and called["id"] != walk_in["id"]
    assert hall.kiosk().get(f"/bookings/{booking['id']}").json()["status"] == "checked_in"


def test_check_in_too_late_and_by_id_number_or_qr(hall: Hall) -> None:
    late = book(hall, "HQ:SB-001:2026-11-25T14:00", person(1)).json()
    by_id = book(hall, "HQ:SB-001:2026-11-25T14:30", person(2)).json()
    hall.clock.set(local(2026, 11, 25, 14, 16))
    reply = hall.kiosk().post("/bookings/check-in", json={"qr_payload": late["qr_payload"]})
    assert (reply.status_code, code_of(reply)) == (422, "too_late")
    reply = hall.kiosk().post("/bookings/check-in", json={"id_number": person(2)["id_number"]})
    assert reply.status_code == 201 and reply.json()["booking_id"] == by_id["id"]
    for body in ({"qr_payload": "GOVBK1:b_nope:123456"}, {"check_in_code": "000000"}):
        reply = hall.kiosk().post("/bookings/check-in", json=body)
        assert (reply.status_code, code_of(reply)) == (404, "booking_not_found")
    reply = hall.kiosk().post("/bookings/check-in", json={"qr_payload": "not a qr"})
    assert (reply.status_code, code_of(reply)) == (422, "invalid_qr_payload")
    reply = hall.kiosk().post("/bookings/check-in", json={"check_in_code": "000000", "id_number": "x"})
    assert (reply.status_code, code_of(reply)) == (422, "invalid_request")


def test_repeated_no_shows_suspend_booking(hall: Hall) -> None:
    who = person(5)
    for day in ("2026-11-26", "2026-11-27", "2026-11-30"):
        assert book(hall, f"HQ:SB-001:{day}T09:00", who).status_code == 201
    hall.clock.set(local(2026, 12, 1, 10, 0))
    reply = book(hall, "HQ:SB-001:2026-12-02T09:00", who)
    assert (reply.status_code, code_of(reply)) == (403, "booking_suspended")
    assert book(hall, "HQ:SB-001:2026-12-02T09:00", person(6)).status_code == 201


def test_idempotent_retries_return_the_first_result(hall: Hall) -> None:
    slot = "HQ:SB-001:2026-11-26T11:00"
    first = book(hall, slot, key="retry-1")
    second = book(hall, slot, key="retry-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and second.headers.get("Idempotent-Replayed") == "true"
    slots = (
        hall.kiosk()
        .get("/sites/HQ/slots", params={"service": "SB-001", "date": "2026-11-26"})
        .json()["slots"]
    )
    assert next(s for s in slots if s["id"] == slot)["remaining"] == 5
    other = book(hall, slot, person(3), key="retry-1")
    assert (other.status_code, code_of(other)) == (422, "idempotency_key_reused")
    # Keys are scoped per caller: another kiosk's same key is its own request.
    with hall.db.write() as conn:
        token = identities.add_kiosk(conn, "kiosk-02", "HQ", hall.clock.now())
    theirs = book(hall, slot, person(3), key="retry-1", client=hall.client(token))
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]
    t1 = hall.kiosk().post("/tickets", json={"service": "SB-001"}, headers={"Idempotency-Key": "tk"}).json()
    t2 = hall.kiosk().post("/tickets", json={"service": "SB-001"}, headers={"Idempotency-Key": "tk"}).json()
    assert t1["id"] == t2["id"] and t1["number"] == "B001"
    bad_key = hall.kiosk().post(
        "/tickets", json={"service": "SB-001"}, headers={"Idempotency-Key": "x" * 300}
    )
    assert code_of(bad_key) == "invalid_idempotency_key"


def test_calendar_range_limits(hall: Hall) -> None:
    kiosk = hall.kiosk()
    reply = kiosk.get("/sites/HQ/calendar", params={"from": "2026-11-30", "to": "2026-11-01"})
    assert code_of(reply) == "invalid_range"
    start = date(2026, 11, 1)
    reply = kiosk.get(
        "/sites/HQ/calendar", params={"from": str(start), "to": str(start + timedelta(days=92))}
    )
    assert code_of(reply) == "range_too_long"
    reply = kiosk.get("/sites/HQ/calendar", params={"from": "2026-02-30", "to": "2026-03-01"})
    assert (reply.status_code, code_of(reply)) == (422, "invalid_request")
    reply = kiosk.get("/sites/NOPE/calendar", params={"from": "2026-11-01", "to": "2026-11-02"})
    assert (reply.status_code, code_of(reply)) == (404, "unknown_site")
