"""The live panel's windows on the demo HQ site (52 windows, window 48 closed on the plan): a window is idle
only with a clerk signed in; closed on the plan or staffed by nobody it is closed, also the morning after a
shift that ended, or began, the day before."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from .conftest import Hall, local

pytestmark = pytest.mark.db


def live(hall: Hall) -> dict[str, Any]:
    hall._staff_tokens.pop("manager1", None)  # a fresh session: the clock moves by days here
    reply = hall.staff("manager1").get("/stats/live", params={"site": "HQ"})
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def states(hall: Hall) -> tuple[Counter[str], dict[str, str]]:
    windows = live(hall)["windows"]
    return Counter(w["state"] for w in windows), {w["window"]: w["state"] for w in windows}


def test_a_window_is_idle_only_with_a_clerk_and_closed_otherwise(hall: Hall) -> None:
    counts, by_window = states(hall)
    assert len(by_window) == 52 and counts == {"closed": 52}
    clerk = hall.seated("15")
    other = hall.seated("49", "counter3")  # window 49, then the closed window 48: refused, closed it stays
    assert other.post("/windows/49/sign-out", params={"site": "HQ"}).status_code == 200
    assert other.post("/windows/48/sign-in", params={"site": "HQ"}).json()["error"]["code"] == "window_closed"
    counts, by_window = states(hall)
    assert counts == {"closed": 51, "idle": 1} and by_window["15"] == "idle" and by_window["48"] == "closed"

    assert clerk.post("/windows/15/pause", params={"site": "HQ"}, json={"reason": "午休"}).status_code == 200
    assert states(hall)[1]["15"] == "paused"
    assert clerk.post("/windows/15/resume", params={"site": "HQ"}).status_code == 200
    hall.kiosk().post("/tickets", json={"service": "SB-001"})
    assert clerk.post("/counters/15/call-next", params={"site": "HQ"}).status_code == 200
    counts, by_window = states(hall)
    assert counts == {"closed": 51, "busy": 1}
    assert clerk.post("/counters/15/complete", params={"site": "HQ"}).status_code == 200
    assert states(hall)[1]["15"] == "idle"

    # A shift begun yesterday is still on this morning (no event of it today); one ended is closed.
    hall.seated("16", "counter2")
    assert clerk.post("/windows/15/sign-out", params={"site": "HQ"}).status_code == 200
    hall.clock.set(local(2026, 11, 26, 9, 0))
    counts, by_window = states(hall)
    assert (by_window["15"], by_window["16"], by_window["48"]) == ("closed", "idle", "closed")
    assert counts == {"closed": 51, "idle": 1}
