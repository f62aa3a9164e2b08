"""Administration of the calendar through HTTP on a real database: an extra closed day closes the hall (the
kiosk's calendar and its walk-in tickets), a 调休 correction opens a weekend day, a holiday file is
checked before anything is stored; every change is audited, every bad one changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import Hall

pytestmark = pytest.mark.db
CALENDAR_2027 = (Path(__file__).parents[2] / "unit" / "hall" / "calendar_files" / "2027.toml").read_text(
    "utf-8")
# The hall's clock stands on Wednesday 2026-11-25 at 10:00; the 28th is a Saturday.
TODAY, SATURDAY = "2026-11-25", "2026-11-28"


def code(reply: httpx.Response) -> tuple[int, str | None]:
    return reply.status_code, reply.json().get("error", {}).get("code")


def day(hall: Hall, which: str, lang: str = "zh-Hans") -> dict[str, Any]:
    reply = hall.kiosk().get("/sites/HQ/calendar", params={"from": which, "to": which, "lang": lang})
    assert reply.status_code == 200, reply.text
    return dict(reply.json()["days"][0])


def audit_rows(hall: Hall) -> list[dict[str, Any]]:
    return list(hall.staff("manager1").get("/admin/audit", params={"area": "calendar"}).json()["entries"])


def test_an_extra_closed_day_closes_the_hall_until_withdrawn(hall: Hall) -> None:
    admin, kiosk = hall.staff("admin"), hall.kiosk()
    assert day(hall, TODAY)["sessions"]
    names = {"zh-Hans": "设备检修", "zh-Hant": "設備檢修", "en": "Maintenance"}
    reply = admin.put(f"/admin/calendar/days/{TODAY}", json={"kind": "closed", "names": names})
    assert reply.status_code == 200, reply.text
    closed = day(hall, TODAY, "en")
    assert (closed["workday"], closed["holiday"]) == (False, "Maintenance")
    # As on a statutory holiday: no staffed session; the 24-hour self-service area keeps its every-day hours.
    assert {s["kind"] for s in closed["sessions"]} == {"self_service"}
    assert {s["kind"] for s in day(hall, "2026-11-24")["sessions"]} > {"self_service"}
    assert code(kiosk.post("/tickets", json={"service": "SB-001"})) == (409, "queue_closed")
    assert hall.staff("manager1").get("/admin/calendar").json()["days"] == [
        {"date": TODAY, "kind": "closed", "names": names}]

    assert admin.delete(f"/admin/calendar/days/{TODAY}").status_code == 200
    assert day(hall, TODAY)["sessions"]
    assert kiosk.post("/tickets", json={"service": "SB-001"}).status_code == 201
    rows = audit_rows(hall)
    assert [(r["actor"], r["action"], r["target"]) for r in rows] == [
        ("admin", "remove_day", TODAY), ("admin", "set_day", TODAY)]
    assert rows[1]["detail"] == {"kind": "closed", "names": names}


def test_a_working_day_correction_opens_a_saturday(hall: Hall) -> None:
    before = day(hall, SATURDAY)
    assert before["workday"] is False
    reply = hall.staff("admin").put(f"/admin/calendar/days/{SATURDAY}", json={"kind": "workday"})
    assert reply.status_code == 200, reply.text
    after = day(hall, SATURDAY)
    assert (after["workday"], after["adjusted_workday"]) == (True, True)
    # The weekday sessions run on it, as on any working day.
    assert len(after["sessions"]) >= len(day(hall, TODAY)["sessions"]) - 1 and after["sessions"]


@pytest.mark.parametrize(("path", "body", "expected"), [
    (f"/admin/calendar/days/{TODAY}", {"kind": "holiday"}, (422, "invalid_request")),
    (f"/admin/calendar/days/{TODAY}", {}, (422, "invalid_request")),
    (f"/admin/calendar/days/{TODAY}",
     {"kind": "workday", "names": {"zh-Hans": "x", "zh-Hant": "x", "en": "x"}}, (422, "invalid_request")),
    (f"/admin/calendar/days/{TODAY}", {"kind": "closed", "names": {"en": "x"}}, (422, "invalid_request")),
    ("/admin/calendar/days/2026-13-01", {"kind": "closed"}, (422, "invalid_request")),
    ("/admin/calendar/days/1999-12-31", {"kind": "closed"}, (422, "date_out_of_range")),
])
def test_a_bad_day_decision_is_refused_and_changes_nothing(hall: Hall, path: str, body: dict[str, Any],
                                                           expected: tuple[int, str]) -> None:
    before = day(hall, TODAY)
    assert code(hall.staff("admin").put(path, json=body)) == expected
    assert day(hall, TODAY) == before
    assert hall.staff("admin").get("/admin/calendar").json()["days"] == []
    assert audit_rows(hall) == []


def test_withdrawing_an_undecided_day_and_a_manager_deciding_are_refused(hall: Hall) -> None:
    assert code(hall.staff("admin").delete(f"/admin/calendar/days/{TODAY}")) == (404, "unknown_day_override")
    assert code(hall.staff("manager1").put(f"/admin/calendar/days/{TODAY}", json={"kind": "closed"})) == (
        403, "forbidden")
    assert hall.staff("manager1").get("/admin/calendar").status_code == 200
    assert audit_rows(hall) == []


def test_next_years_holiday_file_is_checked_then_loaded_and_audited(hall: Hall) -> None:
    admin = hall.staff("admin")
    broken = CALENDAR_2027.replace("[[holidays]]", "[[holidays]", 1)
    assert code(admin.post("/calendars", json={"toml": broken})) == (422, "calendar_syntax_error")
    assert code(admin.post("/calendars", json={"toml": "year = 2027\nsurprise = 1\n"})) == (
        422, "calendar_unknown_field")
    assert admin.get("/admin/calendar").json()["years"] == []
    assert audit_rows(hall) == []

    loaded = admin.post("/calendars", json={"toml": CALENDAR_2027})
    assert loaded.status_code == 201, loaded.text
    assert [y["year"] for y in admin.get("/admin/calendar").json()["years"]] == [2027]
    [row] = audit_rows(hall)
    assert (row["action"], row["target"], row["detail"]["year"]) == ("load_year", "2027", 2027)
    assert day(hall, "2027-02-06")["calendar_confirmed"] is True
