"""The calling screens' routes over a real server: recent calls, and the Server-Sent Events stream (state
first, then each call, waiting counts and window changes; keep-alive; slow and gone readers let go)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from citizen_id.id_number import make_id_number
from hall_contract.calls import Call, CallList, FloorState
from hall_server.state.floor_bus import FloorEvent

from .conftest import Hall, local

pytestmark = pytest.mark.db
STREAM = "/api/v1/sites/HQ/calls/stream"


class Events:
    """Reads a text/event-stream: JSON events, comment lines counted, the retry hint kept."""

    def __init__(self, reply: httpx.Response) -> None:
        self.lines = reply.iter_lines()
        self.comments = 0
        self.retry: int | None = None
        self.text: list[str] = []

    def next(self, *, until_comment: bool = False) -> dict[str, Any]:
        data: list[str] = []
        for line in self.lines:
            self.text.append(line)
            if line.startswith(":"):
                self.comments += 1
                if until_comment:
                    return {}
            elif line.startswith("retry:"):
                self.retry = int(line.split(":", 1)[1])
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif line == "" and data:
                return dict(json.loads("\n".join(data)))
        raise EOFError("the stream ended")


@contextmanager
def listening(hall: Hall, path: str = STREAM) -> Iterator[Events]:
    with httpx.Client(base_url=hall.url, timeout=10) as client, client.stream("GET", path) as reply:
        assert reply.status_code == 200, reply.read()
        assert reply.headers["content-type"].startswith("text/event-stream")
        assert reply.headers["cache-control"] == "no-cache"
        yield Events(reply)


def take(hall: Hall) -> dict[str, Any]:
    reply = hall.kiosk().post("/tickets", json={"service": "SB-001"})  # queue B, windows 15-20
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


# One clerk a window: counter1 at 15, counter2 at 16.
CLERKS = {"15": "counter1", "16": "counter2"}


def counter(hall: Hall, action: str, window: str = "15") -> dict[str, Any]:
    reply = hall.staff(CLERKS[window]).post(f"/counters/{window}/{action}", params={"site": "HQ"})
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def test_state_first_then_each_call_with_its_sentences_clips_and_counts(hall: Hall) -> None:
    first = take(hall)
    hall.seated("15", CLERKS["15"])
    with listening(hall) as events:
        state = events.next()
        assert events.retry == 1000
        FloorState.model_validate(state)
        assert state["type"] == "state" and state["site"] == "HQ" and state["calls"] == []
        assert state["waiting"]["B"] == 1 and state["waiting"]["A"] == 0
        assert state["windows"]["15"] == {"ticket": None, "state": "open"}
        assert state["windows"]["16"] == {"ticket": None, "state": "closed"}  # no clerk signed in
        assert state["windows"]["48"]["state"] == "closed" and len(state["windows"]) == 52
        assert state["announce"] == ["zh-Hans", "yue", "en"] and state["voice_pack"] == "default"
        assert state["notice"]["zh-Hans"].startswith("请留意叫号")
        assert state["now"] == "2026-11-25T10:00:00+08:00"

        take(hall)
        assert events.next() == {"type": "waiting", "waiting": state["waiting"] | {"B": 2}}

        counter(hall, "call-next")
        called = events.next()
        Call.model_validate(called)
        assert {k: called[k] for k in ("type", "ticket", "window", "area", "recall", "at")} == {
            "type": "called", "ticket": "B001", "window": "15", "area": "一楼B区", "recall": False,
            "at": "2026-11-25T10:00:00+08:00"}
        assert called["say"] == {"zh-Hans": "请B001号到15号窗口办理", "yue": "請B001號到15號窗口辦理",
                                 "en": "Number B001, please go to window 15"}
        voice = called["voice"]
        assert voice[0] == {"lang": None, "clips": ["/display/voice/default/chime.opus"]}
        assert [s["lang"] for s in voice[1:]] == ["zh-Hans", "yue", "en"] * 2
        assert voice[1]["clips"] == [f"/display/voice/default/zh-Hans/{c}.opus"
                                     for c in ("qing", "B", "0", "0", "1", "hao_dao", "10", "5",
                                               "hao_chuangkou_banli")]
        for clip in {c for s in voice for c in s["clips"]}:
            audio = httpx.get(hall.url + clip)
            assert audio.status_code == 200 and audio.headers["content-type"] == "audio/ogg", clip
        assert events.next() == {"type": "window", "window": "15", "ticket": "B001", "state": "open"}
        assert events.next()["waiting"]["B"] == 1

        counter(hall, "recall")
        again = events.next()
        assert again["recall"] is True and again["ticket"] == "B001" and again["say"] == called["say"]
        counter(hall, "complete")
        hall.seated("16", CLERKS["16"])
        counter(hall, "call-next", window="16")
        following = events.next()
        while following["type"] != "called":  # the window freed, counts: whatever the counters publish
            following = events.next()
        assert (following["type"], following["ticket"], following["window"]) == ("called", "B002", "16")
    stream_text = "\n".join(events.text)
    assert first["id"] not in stream_text and "clerk" not in stream_text
    assert not any(name in stream_text for name in CLERKS.values())


def test_a_booking_checked_in_counts_as_waiting_on_the_screens(hall: Hall) -> None:
    citizen = {"id_number": make_id_number(sequence=321), "name": "张三"}
    slot = "HQ:SB-001:2026-11-25T14:00"
    body = {"service": "SB-001", "slot_id": slot, "citizen": citizen, "channel": "kiosk"}
    booking = hall.kiosk().post("/bookings", json=body).json()
    hall.clock.set(local(2026, 11, 25, 13, 40))
    with listening(hall) as events:
        assert events.next()["waiting"]["B"] == 0
        checked_in = hall.kiosk().post("/bookings/check-in", json={"check_in_code": booking["check_in_code"]})
        assert checked_in.status_code == 201, checked_in.text
        assert events.next()["waiting"]["B"] == 1


def test_recent_calls_newest_first_from_the_database(hall: Hall) -> None:
    take(hall), take(hall), take(hall)
    for window, clerk in CLERKS.items():
        hall.seated(window, clerk)
    counter(hall, "call-next", window="15")
    hall.clock.advance(timedelta(minutes=1))
    counter(hall, "call-next", window="16")
    hall.clock.advance(timedelta(minutes=1))
    counter(hall, "recall", window="15")  # called again: newest now
    answer = hall.client().get("/sites/HQ/calls").json()  # public, like the stream
    CallList.model_validate(answer)
    assert [(c["ticket"], c["window"], c["at"][11:16]) for c in answer["calls"]] == [
        ("B001", "15", "10:02"), ("B002", "16", "10:01")]
    assert set(answer["calls"][0]) == {"type", "ticket", "window", "area", "areas", "recall", "at", "say",
                                       "voice"}
    latest = hall.client().get("/sites/HQ/calls", params={"limit": 1}).json()["calls"]
    assert [c["ticket"] for c in latest] == ["B001"]
    assert hall.client().get("/sites/ST01/calls").json() == {"site": "ST01", "calls": []}


@pytest.mark.parametrize(("path", "status", "code"), [
    ("/api/v1/sites/HQ/calls?limit=0", 422, "invalid_request"),
    ("/api/v1/sites/HQ/calls?limit=51", 422, "invalid_request"),
    ("/api/v1/sites/HQ/calls?limit=ten", 422, "invalid_request"),
    ("/api/v1/sites/NOPE/calls", 404, "unknown_site"),
    ("/api/v1/sites/NOPE/calls/stream", 404, "unknown_site"),
    ("/api/v1/sites/H%20Q/calls/stream", 422, "invalid_request"),
])
def test_bad_requests_are_refused_with_stable_codes(hall: Hall, path: str, status: int, code: str) -> None:
    reply = httpx.get(hall.url + path, timeout=10)
    assert (reply.status_code, reply.json()["error"]["code"]) == (status, code)
    assert hall.app.state.hall.floor.subscribers("NOPE") == 0


def test_an_idle_stream_sends_keep_alive_comments(hall_with: Callable[..., Hall]) -> None:
    hall = hall_with(stream_keepalive_s=0.2)
    with listening(hall) as events:
        events.next()
        started = time.monotonic()
        events.next(until_comment=True)
        events.next(until_comment=True)
        assert events.comments == 2 and time.monotonic() - started < 5


def wait_for(check: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_screens_that_go_away_leave_no_feed_behind(hall_with: Callable[..., Hall]) -> None:
    hall = hall_with(stream_keepalive_s=0.2)
    floor = hall.app.state.hall.floor
    for _ in range(3):
        with listening(hall) as events:
            events.next()
            assert floor.subscribers("HQ") >= 1
    assert wait_for(lambda: floor.subscribers("HQ") == 0)


def test_a_reader_that_falls_behind_is_dropped_and_its_response_ends(hall: Hall) -> None:
    floor = hall.app.state.hall.floor
    port = int(hall.url.rsplit(":", 1)[1])
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", port))
        sock.sendall(f"GET {STREAM} HTTP/1.1\r\nHost: hall\r\n\r\n".encode())
        received = sock.recv(65536)
        while b'"type":"state"' not in received:
            received += sock.recv(65536)
        # The screen stops reading; the floor goes on.
        now = hall.clock.now()
        sent = 3000
        for n in range(sent):
            number = f"B{n % 999 + 1:03d}"
            floor.publish(FloorEvent("called", "HQ", now, window="15", ticket=number, recall=True))
        assert wait_for(lambda: floor.subscribers("HQ") == 0), "the feed that fell behind is still there"
        sock.settimeout(10)
        chunks = [received]
        while chunk := sock.recv(65536):
            chunks.append(chunk)
            if chunks[-1].endswith(b"0\r\n\r\n"):
                break
    body = b"".join(chunks)
    assert body.endswith(b"0\r\n\r\n"), "the response did not end, so the browser would not reconnect"
    assert 0 < body.count(b'"type":"called"') < sent


def test_serve_refuses_a_voice_pack_folder_that_is_not_there(db_url: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hall_server", "serve", "--port", "0", "--db", db_url,
         "--voice-packs", str(tmp_path / "missing")],
        capture_output=True, text=True, timeout=60, env={**os.environ, "HALL_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"hall-server: error: --voice-packs: not a directory: "
                                                  f"{tmp_path / 'missing'}"]
