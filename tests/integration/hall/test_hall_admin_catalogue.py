"""Administration of the catalogue and the windows through HTTP on a real database: an admin's edit is what
the kiosk reads and what call-next follows, survives a restart (a fresh reading of the store), is audited;
a bad body or a manager's attempt changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hall_server.state.override_book import OverrideBook

from .conftest import Hall

pytestmark = pytest.mark.db
HQ = {"site": "HQ"}


def code(reply: httpx.Response) -> tuple[int, str | None]:
    return reply.status_code, reply.json().get("error", {}).get("code")


def audit_rows(hall: Hall, area: str) -> list[dict[str, Any]]:
    reply = hall.staff("manager1").get("/admin/audit", params={"area": area})
    assert reply.status_code == 200, reply.text
    return list(reply.json()["entries"])


def test_an_admin_edit_of_a_guide_is_what_the_kiosk_reads_and_survives_a_restart(hall: Hall) -> None:
    admin = hall.staff("admin")
    edit = {"texts": {"zh-Hans": {"fee": "免费（管理端修改）", "steps": ["第一步", "第二步"]},
                      "en": {"name": "Pension Statement (edited)"}}}
    reply = admin.put("/admin/services/SB-001", json=edit)
    assert reply.status_code == 200, reply.text
    assert reply.json()["edited"] is True

    kiosk = hall.kiosk()
    zh = kiosk.get("/services/SB-001", params={"lang": "zh-Hans"}).json()
    assert zh["guide"]["fee"] == "免费（管理端修改）"
    assert zh["guide"]["steps"] == ["第一步", "第二步"]
    en = kiosk.get("/services/SB-001", params={"lang": "en"}).json()
    assert en["name"] == "Pension Statement (edited)"
    # Fields not named keep their shipped text; the zh-Hant text is untouched.
    assert en["guide"]["fee"] != "" and en["guide"]["fee"] != zh["guide"]["fee"]
    found = kiosk.get("/services", params={"q": "edited", "lang": "en"}).json()["services"]
    assert [s["code"] for s in found] == ["SB-001"]
    ticket = kiosk.post("/tickets", params={"lang": "en"}, json={"service": "SB-001"})
    assert ticket.status_code == 201, ticket.text
    assert ticket.json()["service"]["name"] == "Pension Statement (edited)"

    # A restart: another process reading the same database sees the same edit.
    restarted = OverrideBook(hall.db).view().catalogue.get("SB-001")
    assert restarted is not None and restarted.guide("zh-Hans").fee == "免费（管理端修改）"

    [row] = audit_rows(hall, "services")
    assert (row["actor"], row["action"], row["target"]) == ("admin", "edit", "SB-001")
    assert row["detail"]["texts"]["en"] == {"name": "Pension Statement (edited)"}

    assert admin.delete("/admin/services/SB-001").status_code == 200
    shipped = kiosk.get("/services/SB-001", params={"lang": "zh-Hans"}).json()
    assert shipped["guide"]["fee"] != "免费（管理端修改）"
    assert [r["action"] for r in audit_rows(hall, "services")] == ["reset", "edit"]


def test_a_service_switched_off_is_gone_for_the_kiosk_until_switched_on(hall: Hall) -> None:
    admin, kiosk = hall.staff("admin"), hall.kiosk()
    assert admin.put("/admin/services/SB-001", json={"enabled": False}).status_code == 200
    assert code(kiosk.get("/services/SB-001")) == (404, "unknown_service")
    assert "SB-001" not in [s["code"] for s in kiosk.get("/services").json()["services"]]
    assert code(kiosk.post("/tickets", json={"service": "SB-001"})) == (422, "unknown_service")
    listed = admin.get("/admin/services").json()["services"]
    assert next(s for s in listed if s["code"] == "SB-001")["enabled"] is False

    assert admin.put("/admin/services/SB-001", json={"enabled": True}).status_code == 200
    assert kiosk.post("/tickets", json={"service": "SB-001"}).status_code == 201
    assert [r["detail"] for r in audit_rows(hall, "services")] == [{"enabled": True}, {"enabled": False}]


@pytest.mark.parametrize(("body", "expected"), [
    ({}, (422, "empty_change")),
    ({"texts": {}}, (422, "empty_change")),
    ({"texts": {"fr": {"name": "x"}}}, (422, "invalid_request")),
    ({"texts": {"en": {"colour": "x"}}}, (422, "invalid_request")),
    ({"texts": {"en": {"name": ""}}}, (422, "invalid_request")),
    ({"texts": {"en": {"steps": []}}}, (422, "invalid_request")),
    ({"texts": {"en": {"name": "a\u0000b"}}}, (422, "invalid_request")),
    ({"enabled": "perhaps"}, (422, "invalid_request")),
    ({"enabled": False, "extra": 1}, (422, "invalid_request")),
])
def test_a_bad_service_edit_is_refused_and_changes_nothing(hall: Hall, body: dict[str, Any],
                                                           expected: tuple[int, str]) -> None:
    before = hall.kiosk().get("/services/SB-001", params={"lang": "en"}).json()
    assert code(hall.staff("admin").put("/admin/services/SB-001", json=body)) == expected
    assert hall.kiosk().get("/services/SB-001", params={"lang": "en"}).json() == before
    assert audit_rows(hall, "services") == []


def test_only_an_admin_changes_the_catalogue_and_unknown_services_are_named(hall: Hall) -> None:
    manager = hall.staff("manager1")
    assert manager.get("/admin/services").status_code == 200
    assert code(manager.put("/admin/services/SB-001", json={"enabled": False})) == (403, "forbidden")
    assert code(hall.staff("admin").put("/admin/services/ZZ-999", json={"enabled": False})) == (
        404, "unknown_service")
    assert hall.kiosk().get("/services/SB-001").status_code == 200
    assert audit_rows(hall, "services") == []


def test_call_next_follows_the_queues_an_admin_gave_the_window(hall: Hall) -> None:
    kiosk = hall.kiosk()
    services = kiosk.get("/services").json()["services"]
    a_service = next(s["code"] for s in services if s["queue"] == "A")
    b_ticket = kiosk.post("/tickets", json={"service": "SB-001"}).json()
    a_ticket = kiosk.post("/tickets", json={"service": a_service}).json()
    admin = hall.staff("admin")
    reply = admin.put("/admin/windows/15", params=HQ, json={"queues": ["A", "B"]})
    assert reply.status_code == 200, reply.text
    assert reply.json()["queues"] == ["A", "B"] and reply.json()["shipped_queues"] == ["B"]
    listed = hall.kiosk().get("/sites/HQ/windows").json()["windows"]
    assert next(w for w in listed if w["number"] == "15")["queues"] == ["A", "B"]

    clerk = hall.seated("15")
    called = clerk.post("/counters/15/call-next", params=HQ)
    assert called.status_code == 200, called.text
    # Queue A first, as the window now serves it, although the B ticket was issued earlier.
    assert called.json()["id"] == a_ticket["id"]
    assert clerk.post("/counters/15/complete", params=HQ).status_code == 200
    assert clerk.post("/counters/15/call-next", params=HQ).json()["id"] == b_ticket["id"]

    [row] = audit_rows(hall, "windows")
    assert (row["actor"], row["target"], row["detail"]) == ("admin", "HQ/15", {"queues": ["A", "B"]})


def test_a_window_closed_by_an_admin_takes_no_clerk_and_its_name_changes(hall: Hall) -> None:
    admin = hall.staff("admin")
    names = {"zh-Hans": "临时窗口", "zh-Hant": "臨時窗口", "en": "Temporary"}
    assert admin.put("/admin/windows/16", params=HQ, json={"open": False, "names": names}).status_code == 200
    counter = hall.staff("counter1")
    assert code(counter.post("/windows/16/sign-in", params=HQ)) == (409, "window_closed")
    window = next(w for w in hall.kiosk().get("/sites/HQ/windows", params={"lang": "en"}).json()["windows"]
                  if w["number"] == "16")
    assert (window["name"], window["open"]) == ("Temporary", False)
    assert admin.delete("/admin/windows/16", params=HQ).status_code == 200
    assert counter.post("/windows/16/sign-in", params=HQ).status_code == 200


@pytest.mark.parametrize(("body", "expected"), [
    ({}, (422, "empty_change")),
    ({"queues": ["Z"]}, (422, "unknown_queue")),
    ({"queues": ["A", "A"]}, (422, "duplicate_queue")),
    ({"queues": []}, (422, "invalid_request")),
    ({"open": "yes"}, (422, "invalid_request")),
    ({"names": {"zh-Hans": "x"}}, (422, "invalid_request")),
    ({"queues": ["A"], "colour": "red"}, (422, "invalid_request")),
])
def test_a_bad_window_edit_is_refused_and_changes_nothing(hall: Hall, body: dict[str, Any],
                                                          expected: tuple[int, str]) -> None:
    admin = hall.staff("admin")
    before = admin.get("/admin/windows", params=HQ).json()
    assert code(admin.put("/admin/windows/15", params=HQ, json=body)) == expected
    assert admin.get("/admin/windows", params=HQ).json() == before
    assert code(admin.put("/admin/windows/999", params=HQ, json={"open": False})) == (404, "unknown_window")
    assert code(hall.staff("manager1").put("/admin/windows/15", params=HQ, json={"open": False})) == (
        403, "forbidden")
    assert audit_rows(hall, "windows") == []
