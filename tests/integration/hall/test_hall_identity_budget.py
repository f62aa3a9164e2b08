"""Each kiosk's budget of distinct identities per hour, the fleet flag; another site's kiosk and the
public ticket answer learn nothing of a booking; GET /sites lists both demo sites."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from citizen_id.id_number import make_id_number
from hall_contract import SiteList
from hall_server.app import create_app
from hall_server.demo import station_token

from .conftest import Hall, ServerThread, make_settings
from .identity_helpers import IDENTITY, ZHANG_WEI, challenge, records, refusal

pytestmark = pytest.mark.db
BUDGET = 30  # identities_per_kiosk_hour of HQ.toml


@pytest.fixture
def hall(hall_with: Callable[..., Hall]) -> Hall:
    return hall_with(**IDENTITY)


def test_150_identities_from_one_kiosk_hit_the_quota_and_flag_it(
    hall: Hall, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    kiosk = hall.kiosk()
    outcomes = []
    with caplog.at_level(logging.WARNING, logger="hall_server.usecases.identity_budget"):
        for i in range(150):
            reply = records(kiosk, make_id_number(sequence=i), "王五", {"type": "card"})
            outcomes.append(reply.status_code)
            if reply.status_code == 429:
                assert reply.json()["error"]["code"] == "kiosk_quota"
                retry_after = int(reply.headers["Retry-After"])
                assert 0 < retry_after <= 3600
    assert outcomes[:BUDGET] == [200] * BUDGET and Counter(outcomes[BUDGET:]) == {429: 150 - BUDGET}
    # Someone already asked about this hour is not a new identity.
    assert records(kiosk, make_id_number(sequence=0), "王五", {"type": "card"}).status_code == 200
    # Every request naming a person counts: a challenge and a booking are refused as well.
    assert refusal(challenge(kiosk, *ZHANG_WEI)) == (429, "kiosk_quota")
    slot = "HQ:SB-001:2026-11-26T09:00"
    booking = kiosk.post("/bookings", json={"service": "SB-001", "slot_id": slot,
                                            "citizen": {"id_number": ZHANG_WEI[0], "name": ZHANG_WEI[1]}})
    assert refusal(booking) == (429, "kiosk_quota")
    # One warning for technicians, with the ID number masked.
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "kiosk-01" in warnings[0]
    assert make_id_number(sequence=BUDGET) not in warnings[0]
    flagged = {k["name"]: k["flags"] for k in hall.staff("tech1").get("/fleet").json()["kiosks"]}
    assert [f["code"] for f in flagged["kiosk-01"]] == ["identity_quota"]
    assert flagged["station-01"] == []
    # Other kiosks keep their own budget; the next hour starts afresh.
    station = hall.client(station_token(tmp_path))
    assert records(station, make_id_number(sequence=999), "王五", {"type": "card"}).status_code == 200
    hall.clock.advance(timedelta(hours=1))
    assert records(kiosk, make_id_number(sequence=500), "王五", {"type": "card"}).status_code == 200


def test_the_count_survives_a_restart_within_the_hour(hall: Hall, tmp_path: Path) -> None:
    kiosk = hall.kiosk()
    for i in range(BUDGET):
        assert records(kiosk, make_id_number(sequence=i), "王五", {"type": "card"}).status_code == 200
    app = create_app(make_settings(hall.db.url, tmp_path, **IDENTITY), clock=hall.clock, db=hall.db)
    auth = {"Authorization": f"Bearer {hall.kiosk_token}"}
    with ServerThread(app) as url, httpx.Client(base_url=url + "/api/v1", headers=auth) as again:
        reply = records(again, make_id_number(sequence=BUDGET), "王五", {"type": "card"})
        assert refusal(reply) == (429, "kiosk_quota")


def test_check_in_by_id_number_counts_toward_the_budget(hall: Hall) -> None:
    kiosk = hall.kiosk()
    for i in range(BUDGET):
        reply = kiosk.post("/bookings/check-in", json={"id_number": make_id_number(sequence=i)})
        assert refusal(reply) == (404, "booking_not_found")
    reply = kiosk.post("/bookings/check-in", json={"id_number": make_id_number(sequence=BUDGET)})
    assert refusal(reply) == (429, "kiosk_quota")


def test_a_kiosk_of_another_site_cannot_read_or_cancel_a_booking(hall: Hall, tmp_path: Path) -> None:
    slot = "HQ:SB-001:2026-11-26T09:00"
    body = {"service": "SB-001", "slot_id": slot, "citizen": {"id_number": ZHANG_WEI[0], "name": "张伟"}}
    booking = hall.kiosk().post("/bookings", json=body).json()
    station = hall.client(station_token(tmp_path))
    owner = {"id_number": ZHANG_WEI[0], "name": "张伟", "proof": {"type": "card"}}
    cancel = station.request("DELETE", f"/bookings/{booking['id']}", json=owner)
    for reply in (station.get(f"/bookings/{booking['id']}"), cancel):
        assert refusal(reply) == (404, "booking_not_found")
    unknown = station.get("/bookings/b_unknown")
    assert reply.json() == {**unknown.json()}
    assert hall.kiosk().get(f"/bookings/{booking['id']}").json()["status"] == "booked"
    assert hall.staff("counter1").get(f"/bookings/{booking['id']}").status_code == 200
    mine = hall.kiosk().request("DELETE", f"/bookings/{booking['id']}", json=owner)
    assert mine.json()["status"] == "cancelled"


def test_the_public_ticket_answer_has_no_priority_and_no_booking_id(hall: Hall) -> None:
    issued = hall.kiosk().post("/tickets", json={"service": "SB-001", "priority": "pregnant"}).json()
    assert issued["priority"] == "pregnant"  # the kiosk that issued it prints it
    public = hall.client().get(f"/tickets/{issued['id']}")
    assert public.status_code == 200
    assert "priority" not in public.json() and "booking_id" not in public.json()
    page = hall.page(f"/t/{issued['id']}")
    assert page.status_code == 200 and "pregnant" not in page.text and "孕" not in page.text


def test_sites_lists_the_hall_and_the_station(hall: Hall) -> None:
    answer = hall.kiosk().get("/sites", params={"lang": "en"}).json()
    SiteList.model_validate(answer)
    sites = answer["sites"]
    assert [(s["code"], s["kind"]) for s in sites] == [("HQ", "hall"), ("ST01", "station")]
    assert sites[1]["name"] == "Huacheng Community Smart Station" and sites[1]["timezone"] == "Asia/Shanghai"
    one = hall.kiosk().get("/sites/ST01", params={"lang": "zh-Hant"}).json()
    assert one["name"] == "示範區花城社區智慧站" and one["address"].startswith("示範區")
    assert refusal(hall.kiosk().get("/sites/NOPE")) == (404, "unknown_site")
    assert hall.client().get("/sites").status_code == 401
