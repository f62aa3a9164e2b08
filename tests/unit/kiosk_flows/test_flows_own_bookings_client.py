"""The kiosk's client of the own-bookings endpoints against a scripted hall: what it sends (whose, the
proof, the key), what it makes of the answers, and what it refuses to send."""

from __future__ import annotations

from typing import Any

import pytest

from hall_contract import CardProof, CodeProof
from kiosk.hall_client import HallClient, HallError
from kiosk.hall_own_bookings import cancel_own_booking, move_own_booking, own_bookings
from tests.unit.kiosk_flows.test_flows_hall_client import ScriptedServer

WHO = ("440106198503121237", "张伟")
BOOKING: dict[str, Any] = {
    "id": "b_new", "status": "booked", "service": {"code": "SB-001", "name": "社保"}, "site": "HQ",
    "slot_id": "HQ:SB-001:2026-11-26T14:00", "start": "2026-11-26T14:00:00+08:00",
    "end": "2026-11-26T14:30:00+08:00", "session": "regular", "check_in_code": "123456",
    "qr_payload": "GOVBK1:b_new:123456", "citizen": {"name_masked": "张*", "id_number_masked": "4401**"},
}


def test_the_list_carries_whose_and_the_proof(server: ScriptedServer, client: HallClient) -> None:
    held = {**BOOKING, "session_name": "下午", "movable": True, "move_cutoff": "2026-11-26T13:30:00+08:00"}
    server.script = [(200, {"bookings": [held]})]
    listed = own_bookings(client, *WHO, CardProof(type="card"), "en")
    [request] = server.seen
    assert (request["method"], request["path"]) == ("POST", "/api/v1/bookings/mine?lang=en")
    assert request["body"] == {"id_number": WHO[0], "name": WHO[1], "proof": {"type": "card"}}
    [booking] = listed.bookings
    assert booking.movable and booking.session_name == "下午" and booking.move_cutoff is not None


def test_a_move_is_keyed_and_a_retry_after_a_lost_reply_sends_the_same_key(
    server: ScriptedServer, client: HallClient
) -> None:
    server.script = [(503, {"error": {"code": "database_busy", "message": ""}}),
                     (201, {**BOOKING, "session_name": "下午", "replaces": "b_old"})]
    proof = CodeProof(type="code", challenge_id="ch_1", code="246810")
    moved = move_own_booking(client, "b_old", BOOKING["slot_id"], *WHO, proof, idempotency_key="k-1")
    assert moved.replaces == "b_old" and moved.id == "b_new"
    first, second = server.seen
    assert first["path"] == second["path"] == "/api/v1/bookings/b_old/move?lang=zh-Hans"
    assert first["headers"]["Idempotency-Key"] == second["headers"]["Idempotency-Key"] == "k-1"
    assert second["body"]["proof"] == {"type": "code", "challenge_id": "ch_1", "code": "246810"}
    assert second["body"]["slot_id"] == BOOKING["slot_id"]


def test_a_cancel_sends_its_body_with_delete_and_a_refusal_is_a_hall_error(
    server: ScriptedServer, client: HallClient
) -> None:
    server.script = [(404, {"error": {"code": "booking_not_found", "message": "no such booking"}})]
    with pytest.raises(HallError) as refused:
        cancel_own_booking(client, "b_old", *WHO, CardProof(type="card"), idempotency_key="k-2")
    assert refused.value.code == "booking_not_found"
    [request] = server.seen
    assert request["method"] == "DELETE" and request["body"]["id_number"] == WHO[0]


@pytest.mark.parametrize("bad", ["", "../fleet", "b_x/move", "b x", "b_é"])
def test_what_is_not_a_booking_id_never_reaches_the_path(
    server: ScriptedServer, client: HallClient, bad: str
) -> None:
    with pytest.raises(ValueError, match="not a booking id"):
        cancel_own_booking(client, bad, *WHO, CardProof(type="card"), idempotency_key="k")
    assert server.seen == []
