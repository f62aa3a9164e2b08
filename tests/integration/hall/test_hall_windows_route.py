"""GET /sites/{site}/windows: a hall's windows in the asked language; a station has none."""

from __future__ import annotations

from typing import Any


def test_windows_of_the_hall_in_each_language(hall: Any) -> None:
    chinese = hall.kiosk().get("/sites/HQ/windows").json()
    english = hall.kiosk().get("/sites/HQ/windows", params={"lang": "en"}).json()
    assert chinese["site"] == "HQ" and len(chinese["windows"]) == 52
    first = chinese["windows"][0]
    assert first == {"number": "1", "area": "一楼A区", "name": "企业开办与税务综合窗口", "queues": ["A"],
                     "open": True}
    assert english["windows"][32]["number"] == "33"
    assert english["windows"][32]["area"] == "Floor 2, Zone C"
    assert [w["number"] for w in english["windows"] if not w["open"]] == ["48"]


def test_a_station_has_no_windows_and_an_unknown_site_is_refused(hall: Any) -> None:
    assert hall.kiosk().get("/sites/ST01/windows").json() == {"site": "ST01", "windows": []}
    reply = hall.kiosk().get("/sites/NOPE/windows")
    assert reply.status_code == 404 and reply.json()["error"]["code"] == "unknown_site"
