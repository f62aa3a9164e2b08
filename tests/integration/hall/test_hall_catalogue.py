"""The service catalogue through the API: pinyin search, departments, guides in three languages."""

from __future__ import annotations

import pytest

from .conftest import Hall

pytestmark = pytest.mark.db


def codes(reply_json: dict) -> list[str]:
    return [s["code"] for s in reply_json["services"]]


def test_search_by_name_code_full_pinyin_and_initials(hall: Hall) -> None:
    kiosk = hall.kiosk()
    everything = kiosk.get("/services").json()
    assert len(everything["services"]) >= 30 and {d["code"] for d in everything["departments"]} >= {
        "HRSS",
        "PSB",
    }
    first = everything["services"][0]
    assert set(first) == {"code", "name", "department", "queue", "bookable", "pinyin_initials"}
    for q in ("社保", "sb-001", "shebao", "SBCX", "shbx"):
        found = codes(kiosk.get("/services", params={"q": q}).json())
        assert "SB-001" in found, q
    assert codes(kiosk.get("/services", params={"q": "sb-001"}).json())[0] == "SB-001"
    assert codes(kiosk.get("/services", params={"q": "zzzzqqq"}).json()) == []
    hrss = kiosk.get("/services", params={"department": "HRSS"}).json()
    assert hrss["services"] and all(s["department"]["code"] == "HRSS" for s in hrss["services"])
    reply = kiosk.get("/services", params={"department": "NOPE"})
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "unknown_department")


def test_one_service_with_its_guide_in_each_language(hall: Hall) -> None:
    kiosk = hall.kiosk()
    body = kiosk.get("/services/SB-001").json()
    guide = body["guide"]
    assert body["name"] == "社会保险参保缴费记录查询" and body["department"]["code"] == "HRSS"
    assert guide["materials"][0] == {"name": "居民身份证", "copies": "原件1份", "note": "或社会保障卡"}
    assert guide["steps"] and guide["time_limit"] == "即办" and guide["fee"] == "不收费"
    assert guide["where"] == "一楼B区 15-24号窗口" and guide["legal_basis"] and guide["notes"]
    english = kiosk.get("/services/SB-001", params={"lang": "en"}).json()
    assert english["guide"]["fee"] == "Free of charge"
    traditional = kiosk.get("/services/SB-001", params={"lang": "zh-Hant"}).json()
    assert traditional["name"] == "社會保險參保繳費記錄查詢"
    reply = kiosk.get("/services/XX-999")
    assert (reply.status_code, reply.json()["error"]["code"]) == (404, "unknown_service")
    reply = kiosk.get("/services/SB-001", params={"lang": "fr"})
    assert (reply.status_code, reply.json()["error"]["code"]) == (422, "invalid_request")


def test_loaded_calendars_are_listed_for_admins(hall: Hall) -> None:
    admin = hall.staff("admin")
    assert admin.get("/calendars").json() == {"years": []}
    toml = 'year = 2027\n\n[[holidays]]\nkey = "labour_day"\nstart = 2027-05-01\nend = 2027-05-05\n'
    assert admin.post("/calendars", json={"toml": toml}).status_code == 201
    assert [y["year"] for y in admin.get("/calendars").json()["years"]] == [2027]
    reply = hall.kiosk().get("/bookings/b_missing")
    assert (reply.status_code, reply.json()["error"]["code"]) == (404, "booking_not_found")
