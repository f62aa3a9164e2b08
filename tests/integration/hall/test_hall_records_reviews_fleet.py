"""Records queries with their audit log, reviews with follow-up cases, and heartbeats in the fleet view."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from citizen_id.id_number import make_id_number
from hall_server.app import create_app
from hall_server.clock import SettableClock
from hall_server.demo import seed_demo
from hall_server.records.adapter import KINDS, RecordQuery, RecordsUnavailable, RecordTable
from hall_server.records.demo import DemoRecordsAdapter
from hall_server.records.registry import RecordsRegistry
from hall_server.store.database import Database

from .conftest import Hall, ServerThread, local, make_settings

pytestmark = pytest.mark.db
ID = make_id_number(sequence=321)
# The kiosk attests that its reader read the card during this visit (DESIGN §4.5).
CARD = {"type": "card"}


def query(hall: Hall, **body: object):  # type: ignore[no-untyped-def]
    return hall.kiosk().post(
        "/records/query",
        json={"kind": "social_insurance_payments", "id_number": ID, "name": "王五", "proof": CARD, **body},
    )


@pytest.mark.parametrize("kind", KINDS)
def test_every_record_kind_answers_a_table(hall: Hall, kind: str) -> None:
    reply = query(hall, kind=kind)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["kind"] == kind and body["title"] and body["columns"]
    keys = {c["key"] for c in body["columns"]}
    assert all(set(row) == keys for row in body["rows"]) and body["total_rows"] == len(body["rows"])


def test_same_id_number_same_rows_and_long_social_insurance_history(hall: Hall) -> None:
    first, second = query(hall).json(), query(hall).json()
    assert first["rows"] == second["rows"]
    assert first["total_rows"] >= 24
    assert first["rows"][0]["month"] == "2026-10"
    other = query(hall, id_number=make_id_number(sequence=322)).json()
    assert other["rows"] != first["rows"]
    english = query(hall, lang="en").json()
    assert english["title"] == "Social insurance payments" and english["columns"][0]["label"] == "Month"
    ranged = query(hall, **{"from": "2026-01-01", "to": "2026-06-30"}).json()
    assert ranged["rows"][0]["month"] == "2026-06" and ranged["total_rows"] == 6


def test_record_query_errors(hall: Hall) -> None:
    reply = query(hall, kind="tax_returns")
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "unknown_kind")
    reply = query(hall, id_number="110101199003074470")
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "invalid_id_number")
    reply = query(hall, **{"from": "2026-06-01", "to": "2026-01-01"})
    assert reply.json()["error"]["code"] == "invalid_range"
    reply = query(hall, surprise=True)
    assert reply.json()["error"]["code"] == "invalid_request"


def test_every_query_is_audited_with_the_id_number_masked(hall: Hall) -> None:
    query(hall)
    query(hall, kind="entry_exit_records")
    audit = hall.staff("admin").get("/records/audit").json()["queries"]
    assert [a["kind"] for a in audit] == ["entry_exit_records", "social_insurance_payments"]
    assert audit[0]["id_number_masked"] == ID[:4] + "*" * 10 + ID[-4:]
    assert audit[0]["caller"] == "kiosk:kiosk-01" and audit[0]["site"] == "HQ"
    assert ID not in str(audit) and "王五" not in str(audit)


def test_review_reasons_in_three_languages(hall: Hall) -> None:
    levels = hall.kiosk().get("/reviews/reasons").json()["levels"]
    assert [lv["level"] for lv in levels] == [5, 4, 3, 2, 1]
    assert levels[0]["label"] == "非常满意" and levels[4]["label"] == "非常不满意"
    english = hall.kiosk().get("/reviews/reasons", params={"lang": "en"}).json()["levels"]
    assert english[0]["label"] != levels[0]["label"]


def test_a_bad_review_opens_a_follow_up_due_in_working_days(hall: Hall) -> None:
    hall.clock.set(local(2026, 9, 29, 10, 0))  # Tuesday before the National Day holidays
    ticket = hall.kiosk().post("/tickets", json={"service": "SB-001"}).json()
    bad_reason = hall.kiosk().get("/reviews/reasons").json()["levels"][4]["reasons"][0]["code"]
    reply = hall.kiosk().post(
        "/reviews",
        json={
            "level": 1,
            "reasons": [bad_reason],
            "comment": "等太久",
            "subject": {"type": "ticket", "id": ticket["id"]},
        },
    )
    assert reply.status_code == 201, reply.text
    body = reply.json()
    # 5 working days after 2026-09-29: 09-30, then 10-01..07 holidays, 10-08, 10-09, 10-10 (调休), 10-12.
    assert (
        body["level"] == 1
        and body["follow_up"]["due"] == "2026-10-12"
        and body["follow_up"]["status"] == "open"
    )
    good = hall.kiosk().post(
        "/reviews", json={"level": 5, "reasons": [], "subject": {"type": "kiosk_transaction", "id": "tx-1"}}
    )
    assert good.status_code == 201 and good.json()["follow_up"] is None
    cases = hall.staff("admin").get("/reviews/follow-ups").json()["follow_ups"]
    assert len(cases) == 1 and cases[0]["review"]["comment"] == "等太久"
    assert "rater" not in str(cases) and "kiosk-01" not in str(cases)
    admin = hall.staff("admin")
    unanswered = admin.post(f"/reviews/follow-ups/{cases[0]['id']}/close")
    assert (unanswered.status_code, unanswered.json()["error"]["code"]) == (409, "follow_up_not_answered")
    answered = admin.post(f"/reviews/follow-ups/{cases[0]['id']}/answer", json={"answer": "已回访"})
    assert answered.status_code == 200
    closed = admin.post(f"/reviews/follow-ups/{cases[0]['id']}/close")
    assert {k: closed.json()[k] for k in ("id", "status")} == {"id": cases[0]["id"], "status": "closed"}
    assert admin.get("/reviews/follow-ups").json()["follow_ups"] == []
    assert len(admin.get("/reviews/follow-ups", params={"status": "closed"}).json()["follow_ups"]) == 1
    missing = admin.post("/reviews/follow-ups/f_nothing/close")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "follow_up_not_found")


def test_review_errors(hall: Hall) -> None:
    subject = {"type": "ticket", "id": "t_unknown"}
    reply = hall.kiosk().post("/reviews", json={"level": 4, "reasons": [], "subject": subject})
    assert (reply.status_code, reply.json()["error"]["code"]) == (404, "subject_not_found")
    subject = {"type": "assist_call", "id": "call-1"}
    for body, code in [
        ({"level": 7}, "invalid_level"),
        ({"level": 5, "reasons": ["no_such"]}, "unknown_reason"),
        ({"level": 5, "comment": "x" * 600}, "comment_too_long"),
    ]:
        reply = hall.kiosk().post("/reviews", json={"reasons": [], "subject": subject, **body})
        assert (reply.status_code, reply.json()["error"]["code"]) == (422, code)


def test_heartbeats_and_offline_after_90_seconds(hall: Hall) -> None:
    beat = {
        "app_version": "0.1.0",
        "uptime_s": 12,
        "screen": "home",
        "devices": {
            "printer": {"state": "degraded", "reason": "paper_near_end"},
            "id_card": {"state": "ok", "reason": None},
        },
    }
    reply = hall.kiosk().post("/kiosks/heartbeat", json=beat)
    assert reply.json() == {"ok": True, "server_time": "2026-11-25T10:00:00+08:00"}
    fleet = hall.staff("tech1").get("/fleet", params={"site": "HQ"}).json()["kiosks"]
    assert fleet == [
        {
            "name": "kiosk-01",
            "site": "HQ",
            "online": True,
            "last_seen": "2026-11-25T10:00:00+08:00",
            "app_version": "0.1.0",
            "uptime_s": 12,
            "devices": beat["devices"],
            "screen": "home",
            "flags": [],
        }
    ]
    hall.clock.advance(timedelta(seconds=90))
    assert hall.staff("tech1").get("/fleet").json()["kiosks"][0]["online"] is True
    hall.clock.advance(timedelta(seconds=1))
    assert hall.staff("tech1").get("/fleet").json()["kiosks"][0]["online"] is False
    bad = hall.kiosk().post("/kiosks/heartbeat", json={**beat, "devices": {"printer": {"state": "on fire"}}})
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_request")
    assert hall.staff("tech1").post("/kiosks/heartbeat", json=beat).status_code == 403


class SilentSystem:
    """A department system that does not answer (a stand-in of one adapter, not of the server)."""

    def kinds(self) -> tuple[str, ...]:
        return ("real_estate_records",)

    def query(self, query: RecordQuery) -> RecordTable:
        raise RecordsUnavailable("timeout")


def test_an_adapter_per_kind_and_an_unavailable_system(
    database: Database, clock: SettableClock, tmp_path: Path
) -> None:
    registry = RecordsRegistry()
    registry.register(DemoRecordsAdapter(), kinds=["social_insurance_payments"])
    registry.register(SilentSystem())
    token = seed_demo(database, clock.now(), tmp_path)
    app = create_app(make_settings(database.url, tmp_path), clock=clock, db=database, records=registry)
    with (
        ServerThread(app) as url,
        httpx.Client(base_url=url + "/api/v1", headers={"Authorization": f"Bearer {token}"}) as kiosk,
    ):
        body = {"id_number": ID, "name": "王五", "proof": CARD}
        assert (
            kiosk.post("/records/query", json={**body, "kind": "social_insurance_payments"}).status_code
            == 200
        )
        for kind in ("real_estate_records", "entry_exit_records"):
            reply = kiosk.post("/records/query", json={**body, "kind": kind})
            assert (reply.status_code, reply.json()["error"]["code"]) == (503, "records_unavailable")
