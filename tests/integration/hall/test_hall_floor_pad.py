"""A window's rating pad over a real server: device tokens from the command line to revocation, the pad's
live stream learning of each completion, and the review tied to ticket, window and clerk, once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hall_server.store import devices
from hall_server.store import models as m

from .conftest import Hall
from .sse_reader import END, SseReader

pytestmark = pytest.mark.db
WINDOW = "15"  # HQ's windows 15-24 serve queue B (SB-001)
CLERKS = {"15": "counter1", "16": "counter2"}  # one clerk a window


def add_pad(hall: Hall, name: str = "pad-15", window: str | None = WINDOW, kind: str = "pad") -> str:
    with hall.db.write() as conn:
        return devices.add_device(conn, name, "HQ", kind, window, hall.clock.now())


def serve_one(hall: Hall, window: str = WINDOW) -> dict[str, Any]:
    """A walk-in ticket called and completed at ``window`` by its clerk (signed in there); the completed
    ticket."""
    taken = hall.kiosk().post("/tickets", json={"service": "SB-001"})
    assert taken.status_code == 201, taken.text
    clerk = hall.seated(window, CLERKS[window])
    called = clerk.post(f"/counters/{window}/call-next", params={"site": "HQ"})
    assert called.status_code == 200 and called.json()["id"] == taken.json()["id"], called.text
    done = clerk.post(f"/counters/{window}/complete", params={"site": "HQ"})
    assert done.status_code == 200, done.text
    return dict(done.json())


def pad_stream(hall: Hall, token: str, window: str = WINDOW) -> SseReader:
    return SseReader(f"{hall.url}/api/v1/windows/{window}/pad/stream", token=token, params={"site": "HQ"})


def answer(hall: Hall, token: str, ticket_id: str, level: int, reasons: list[str] | None = None,
           window: str = WINDOW) -> httpx.Response:
    return hall.client(token).post(f"/windows/{window}/pad/review", params={"site": "HQ"},
                                   json={"ticket_id": ticket_id, "level": level, "reasons": reasons or []})


def test_the_pad_learns_of_a_completion_and_its_review_is_tied_to_window_and_clerk(hall: Hall) -> None:
    token = add_pad(hall)
    with pad_stream(hall, token) as pad:
        assert pad.status == 200
        state = pad.next_named("state")
        assert state["window"] == WINDOW and state["pending"] is None and state["prompt_s"] == 60
        assert state["area"]["zh-Hans"] == "一楼B区" and state["area"]["en"] == "Floor 1, Zone B"
        assert [lv["level"] for lv in state["levels"]["en"]] == [5, 4, 3, 2, 1]
        assert state["levels"]["zh-Hant"][0]["label"] == "非常滿意"
        ticket = serve_one(hall)
        prompt = pad.next_named("review")
        assert prompt["ticket_id"] == ticket["id"] and prompt["ticket"] == ticket["number"]
        assert 0 < prompt["expires_in_s"] <= 60
    reply = answer(hall, token, ticket["id"], 2, ["long_wait"])
    assert reply.status_code == 201, reply.text
    assert reply.json()["level"] == 2 and reply.json()["follow_up"]["status"] == "open"
    with hall.db.read() as conn:
        row = conn.execute(select(m.reviews).where(m.reviews.c.subject_id == ticket["id"])).one()
    assert (row.window_number, row.clerk, row.subject_type, row.level) == (WINDOW, "counter1", "ticket", 2)
    assert row.rater == "device:pad-15" and row.reasons == ["long_wait"]
    # The bad review opened a follow-up case that names the review, never who rated.
    cases = hall.staff("admin").get("/reviews/follow-ups", params={"site": "HQ"}).json()["follow_ups"]
    assert [c["review"]["subject"]["id"] for c in cases] == [ticket["id"]]
    # A pad's review is in the event log like a kiosk's: given, and the case it opened (for the statistics).
    e = m.events
    with hall.db.read() as conn:
        logged = conn.execute(select(e.c.kind, e.c.subject, e.c.value, e.c.window, e.c.clerk)
                              .where(e.c.kind.in_(("review_given", "follow_up_opened")))
                              .order_by(e.c.id)).all()
    assert [tuple(r) for r in logged] == [("review_given", row.id, 2, WINDOW, "counter1"),
                                          ("follow_up_opened", cases[0]["id"], 2, WINDOW, "counter1")]
    again = answer(hall, token, ticket["id"], 5)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_reviewed"


def test_a_reconnecting_pad_gets_the_pending_review_again_until_it_is_answered_or_expires(hall: Hall) -> None:
    token = add_pad(hall)
    ticket = serve_one(hall)
    with pad_stream(hall, token) as pad:
        assert pad.next_named("state")["pending"]["ticket_id"] == ticket["id"]
    assert answer(hall, token, ticket["id"], 5).status_code == 201
    with pad_stream(hall, token) as pad:
        assert pad.next_named("state")["pending"] is None
    second = serve_one(hall)
    hall.clock.advance(timedelta(seconds=61))
    with pad_stream(hall, token) as pad:
        assert pad.next_named("state")["pending"] is None
    hall.clock.advance(timedelta(seconds=30))
    late = answer(hall, token, second["id"], 4)
    assert late.status_code == 409 and late.json()["error"]["code"] == "review_closed"


def test_a_pad_serves_its_own_site_and_window_only(hall: Hall) -> None:
    token = add_pad(hall)
    ticket = serve_one(hall, "16")
    other = answer(hall, token, ticket["id"], 5, window="16")
    assert other.status_code == 403 and other.json()["error"]["code"] == "forbidden"
    # At its own window, another window's ticket is no subject of its review.
    mine = answer(hall, token, ticket["id"], 5)
    assert mine.status_code == 404 and mine.json()["error"]["code"] == "subject_not_found"
    with pad_stream(hall, token, "16") as refused:
        assert refused.status == 403
    roaming = add_pad(hall, "pad-roaming", window=None)
    assert answer(hall, roaming, ticket["id"], 5, window="16").status_code == 201
    with pad_stream(hall, roaming, "9999") as unknown:
        assert unknown.status == 404
    assert answer(hall, roaming, ticket["id"], 7, window="16").json()["error"]["code"] == "invalid_level"
    display = add_pad(hall, "display-1", window=None, kind="display")
    assert answer(hall, display, ticket["id"], 5, window="16").status_code == 403
    # A pad token opens no other route.
    assert hall.client(token).get("/services").status_code == 403
    assert hall.client(token).post("/reviews", json={"level": 5, "subject": {"type": "ticket", "id": "x"}}
                                   ).status_code == 403


def test_a_revoked_pad_is_refused_and_its_open_stream_ends(hall: Hall) -> None:
    token = add_pad(hall)
    with pad_stream(hall, token) as pad:
        pad.next_named("state")
        with hall.db.write() as conn:
            devices.revoke_device(conn, "pad-15", hall.clock.now())
        assert pad.next_named("closed", timeout=10) == {"code": "token_revoked"}
        assert pad.next(timeout=10) == END
    with pad_stream(hall, token) as again:
        assert again.status == 401
    ticket = serve_one(hall)
    assert answer(hall, token, ticket["id"], 5).status_code == 401


def test_device_commands_add_list_and_revoke(db_url: str, tmp_path: Path, hall: Hall) -> None:
    env = {**os.environ, "HALL_DATA_DIR": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "hall_server", "device", *args, "--db", db_url],
                              capture_output=True, text=True, timeout=60, env=env)

    added = run("add", "pad-w15", "--site", "HQ", "--kind", "pad", "--window", WINDOW)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    with hall.db.read() as conn:
        stored = conn.execute(select(m.devices.c.token_hash).where(m.devices.c.name == "pad-w15")).scalar()
    assert stored is not None and token not in stored  # only a digest is kept
    with pad_stream(hall, token) as pad:
        assert pad.status == 200 and pad.next_named("state")["window"] == WINDOW
    listing = run("list")
    assert listing.returncode == 0 and "pad-w15\tHQ\tpad\t15\t" in listing.stdout
    assert token not in listing.stdout
    for args, code in ((("add", "pad-w15", "--site", "HQ", "--kind", "pad"), "device_exists"),
                       (("add", "pad-x", "--site", "HQ", "--kind", "pad", "--window", "99"),
                        "unknown_window"),
                       (("add", "pad-y", "--site", "MARS", "--kind", "pad"), "unknown_site"),
                       (("revoke", "pad-none"), "unknown_device")):
        refused = run(*args)
        assert refused.returncode == 2 and code in refused.stderr and "Traceback" not in refused.stderr
        assert refused.stderr.count("\n") == 1
    with pad_stream(hall, token) as pad:
        pad.next_named("state")
        assert run("revoke", "pad-w15").returncode == 0
        assert pad.next_named("closed", timeout=10)["code"] == "token_revoked"
    assert "pad-w15\tHQ\tpad\t15\t" in run("list").stdout
    with pad_stream(hall, token) as again:
        assert again.status == 401


def test_demo_device_tokens_are_refused_by_a_hall_not_started_as_a_demo(hall: Hall) -> None:
    with hall.db.read() as conn:  # seeded (as serve --demo does), with the printed token's digest
        assert devices.device_token_is(conn, "pad-HQ-15", "demo-pad-token-HQ-15")
    with pad_stream(hall, "demo-pad-token-HQ-15") as refused:
        assert refused.status == 401


def test_demo_device_tokens_work_in_a_demo_hall(hall_with: Any) -> None:
    demo = hall_with(demo=True)
    with pad_stream(demo, "demo-pad-token-HQ-15") as pad:
        assert pad.status == 200 and pad.next_named("state")["window"] == "15"
    with pad_stream(demo, "demo-pad-token-HQ-15", "16") as other:
        assert other.status == 403


