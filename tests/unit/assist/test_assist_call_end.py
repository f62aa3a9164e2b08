"""Why a call ended: the stable codes, the ring maintenance lists, and the kiosk flow that fills it."""

from __future__ import annotations

import logging
import time
from datetime import datetime

import pytest

from kiosk.flows.assist import RECENT_CALL_ENDS, AssistCall
from remote_assist.call_end import END_CODES, CallEnd, CallEndLog, end_code
from remote_assist.kiosk_peer import AssistCallError
from tests.unit.assist.test_assist_call_flow import ScriptedPeer


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("staff_hangup", "staff_hangup"),
        ("kiosk_hangup", "citizen_hangup"),
        ("kiosk_error", "ice_failed"),
        ("signaling_lost", "signaling_lost"),
        ("signaling_closed", "signaling_lost"),
        ("kiosk_no_media", "media_timeout"),
        ("staff_vanished", "staff_lost"),
        ("staff_left", "staff_lost"),
        ("staff_signed_out", "staff_lost"),
        ("wait_limit", "unavailable"),
        ("outside_hours", "unavailable"),
        ("hall_unreachable", "hall_unreachable"),
        ("replaced", "refused"),
        ("something new", "error"),
        (None, "error"),
    ],
)
def test_every_ending_folds_into_a_stable_code(reason: str | None, code: str) -> None:
    assert end_code(reason) == code
    assert code in END_CODES


def test_the_ring_keeps_the_newest_first_and_forgets_the_oldest() -> None:
    ring = CallEndLog(size=3)
    for n in range(5):
        ring.add(CallEnd(datetime(2026, 12, 6, 10, n), "staff_hangup", "staff_hangup", 10.0 * n))
    assert [e.ended_at.minute for e in ring] == [4, 3, 2]
    assert len(ring) == 3


def test_a_log_line_names_the_code_the_length_and_the_sent_format() -> None:
    end = CallEnd(datetime(2026, 12, 6, 10, 31), "ice_failed", "kiosk_error", 46.2, "320x240@5", "320x240@5")
    assert end.log_line() == (
        "call ended code=ice_failed reason=kiosk_error after=46s sent=320x240@5 lowest=320x240@5"
    )


def _call() -> tuple[AssistCall, ScriptedPeer]:
    call = AssistCall(
        "http://hall", "token",
        media=lambda: None,  # type: ignore[arg-type, return-value]
        printer=None, layout=lambda lines: b"", peer_factory=ScriptedPeer,
    )
    return call, call.peer  # type: ignore[return-value]


async def test_a_call_the_kiosk_ended_is_logged_and_kept_with_its_length(
    caplog: pytest.LogCaptureFixture,
) -> None:
    call, peer = _call()

    async def script(p: ScriptedPeer) -> str:
        p.on_event("accepted", {"call_id": "c9", "agent": {"id": "a", "name": "王"}, "ice_servers": []})
        p.stats.connected_at = time.monotonic() - 46
        p.stats.ended_at = time.monotonic()
        p.stats.end_reason = "kiosk_no_media"
        return "kiosk_no_media"

    peer.script = script
    with caplog.at_level(logging.INFO, logger="kiosk.flows.assist"):
        await call.run("general", "zh-Hans")
    newest = next(iter(RECENT_CALL_ENDS))
    assert call.ended is newest
    assert newest.code == "media_timeout" and newest.reason == "kiosk_no_media"
    assert newest.duration_s is not None and 45 < newest.duration_s < 47
    warned = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("c9" in r.getMessage() and "code=media_timeout" in r.getMessage() for r in warned)


async def test_a_call_that_could_not_be_placed_is_kept_too() -> None:
    call, peer = _call()

    async def script(p: ScriptedPeer) -> str:
        raise AssistCallError("hall_unreachable", "down")

    peer.script = script
    await call.run("general", "zh-Hans")
    newest = next(iter(RECENT_CALL_ENDS))
    assert (newest.code, newest.duration_s) == ("hall_unreachable", None)


async def test_a_staff_hangup_is_ordinary(caplog: pytest.LogCaptureFixture) -> None:
    call, peer = _call()

    async def script(p: ScriptedPeer) -> str:
        p.on_event("ended", {"call_id": "c1", "reason": "staff_hangup"})
        return "staff_hangup"

    peer.script = script
    with caplog.at_level(logging.INFO, logger="kiosk.flows.assist"):
        await call.run("general", "zh-Hans")
    assert next(iter(RECENT_CALL_ENDS)).code == "staff_hangup"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("code=staff_hangup" in r.getMessage() for r in caplog.records)
