"""Routing of calls to agents: skills, longest idle, caller order, decline, timeouts, leaving."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from remote_assist.routing import InMemoryRouting, Outbound, RoutingLimits
from remote_assist.schema import MessageError

NEXT_OPEN = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _router(**limits: float) -> InMemoryRouting:
    return InMemoryRouting(
        lambda peer: [{"urls": ["turn:127.0.0.1:3478"], "username": f"x:{peer}"}], RoutingLimits(**limits)
    )


def _to(out: list[Outbound], role: str, name: str, kind: str | None = None) -> list[dict[str, Any]]:
    return [o.message for o in out if o.to == (role, name) and (kind is None or o.message["type"] == kind)]


def _agent(r: InMemoryRouting, name: str, skills: list[str], now: float) -> list[Outbound]:
    r.add_agent(name, name.upper(), now)
    return r.presence(name, "available", skills, now)


def test_call_rings_only_an_agent_with_the_skill() -> None:
    r = _router()
    _agent(r, "tax", ["TAX"], 0)
    _agent(r, "hr", ["HRSS"], 0)
    call_id, out = r.kiosk_call("k1", "HQ", "HRSS", "zh-Hans", 1)
    assert _to(out, "staff", "hr", "incoming")[0]["call_id"] == call_id
    assert not _to(out, "staff", "tax")
    assert _to(out, "kiosk", "k1", "queued") == [
        {"type": "queued", "call_id": call_id, "position": 1, "eta_s": 240}
    ]


def test_longest_idle_agent_gets_the_call() -> None:
    r = _router()
    _agent(r, "b", ["HRSS"], 5)
    _agent(r, "a", ["HRSS"], 10)
    _, out = r.kiosk_call("k1", "HQ", "HRSS", "en", 20)
    assert _to(out, "staff", "b", "incoming") and not _to(out, "staff", "a")


def test_agent_back_from_a_call_goes_to_the_back_of_the_line() -> None:
    r = _router()
    _agent(r, "a", ["HRSS"], 0)
    _agent(r, "b", ["HRSS"], 1)
    c1, _ = r.kiosk_call("k1", "HQ", "HRSS", "en", 2)
    r.accept("a", c1, 3)
    r.hangup(("kiosk", "k1"), c1, "kiosk_hangup", 4)  # a idle since 4, b since 1
    _, out = r.kiosk_call("k2", "HQ", "HRSS", "en", 5)
    assert _to(out, "staff", "b", "incoming")


def test_callers_are_served_in_order_and_told_their_place() -> None:
    r = _router(mean_call_s=100)
    c1, _ = r.kiosk_call("k1", "HQ", "HRSS", "en", 0)
    c2, out2 = r.kiosk_call("k2", "HQ", "HRSS", "en", 1)
    assert _to(out2, "kiosk", "k2", "queued")[0]["position"] == 2
    assert not _to(out2, "kiosk", "k1")  # k1's place did not change
    out = _agent(r, "a", ["HRSS"], 2)
    assert _to(out, "staff", "a", "incoming")[0]["call_id"] == c1
    out = r.accept("a", c1, 3)
    assert _to(out, "kiosk", "k1", "accepted")[0]["agent"] == {"id": "a", "name": "A"}
    assert _to(out, "kiosk", "k2", "queued")[0]["position"] == 1
    assert r.status().callers_waiting == 1 and r.status().calls_active == 1
    assert c2 != c1


def test_accept_gives_both_ends_their_own_ice_servers() -> None:
    r = _router()
    _agent(r, "a", ["HRSS"], 0)
    c, _ = r.kiosk_call("k1", "HQ", "HRSS", "en", 1)
    out = r.accept("a", c, 2)
    assert _to(out, "kiosk", "k1", "accepted")[0]["ice_servers"][0]["username"] == "x:k1"
    assert _to(out, "staff", "a", "accepted")[0]["ice_servers"][0]["username"] == "x:a"


def test_decline_passes_the_call_to_the_next_agent_and_never_back() -> None:
    r = _router()
    _agent(r, "a", ["HRSS"], 0)
    _agent(r, "b", ["HRSS"], 1)
    c, _ = r.kiosk_call("k1", "HQ", "HRSS", "en", 2)
    out = r.decline("a", c, 3)
    assert _to(out, "staff", "b", "incoming")
    out = r.decline("b", c, 4)
    assert not [o for o in out if o.message["type"] == "incoming"]
    assert r.status().callers_waiting == 1


def test_only_the_ringing_agent_may_accept_or_decline() -> None:
    r = _router()
    _agent(r, "a", ["HRSS"], 0)
    _agent(r, "b", ["HRSS"], 1)
    c, _ = r.kiosk_call("k1", "HQ", "HRSS", "en", 2)
    for action in (r.accept, r.decline):
        with pytest.raises(MessageError) as info:
            action("b", c, 3)
        assert info.value.code == "not_your_call"
        with pytest.raises(MessageError):
            action("a", "c_nope", 3)
    assert r.calls[c].state == "ringing" and r.calls[c].agent == "a"


def test_relay_only_between_the_two_ends_of_an_active_call() -> None:
    r = _router()
    _agent(r, "a", ["HRSS"], 0)
    _agent(r, "b", ["TAX"], 0)
    c, _ = r.kiosk_call("k1", "HQ", "HRSS", "en", 1)
    offer = {"type": "offer", "call_id": c, "sdp": "v=0"}
    with pytest.raises(MessageError) as info:
        r.relay(("kiosk", "k1"), offer)
    assert info.value.code == "call_not_active"
    r.accept("a", c, 2)
    assert r.relay(("kiosk", "k1"), offer) == [Outbound(("staff", "a"), offer)]
    assert r.relay(("staff", "a"), {**offer, "type": "answer"})[0].to == ("kiosk", "k1")
    for stranger in (("kiosk", "k2"), ("staff", "b")):
        with pytest.raises(MessageError) as info:
            r.relay(stranger, offer)  # type: ignore[arg-type]
        assert info.value.code == "not_your_call"


def test_ring_timeout_counts_as_decline() -> None:
    r = _router(ring_timeout_s=10)
    _agent(r, "a", ["HRSS"], 0)
    _agent(r, "b", ["HRSS"], 1)
    c, _ = r.kiosk_call("k1", "HQ", "HRSS", "en", 2)
    assert r.tick(11, lambda s: None) == []
    out = r.tick(12, lambda s: None)
    assert _to(out, "staff", "a", "withdrawn") == [
        {"type": "withdrawn", "call_id": c, "reason": "ring_timeout"}
    ]
    assert _to(out, "staff", "b", "incoming")


def test_waiting_past_the_limit_is_offered_a_booking() -> None:
    r = _router(wait_limit_s=60)
    c, _ = r.kiosk_call("k1", "HQ", "HRSS", "en", 0)
    assert r.tick(59, lambda s: NEXT_OPEN) == []
    out = r.tick(60, lambda s: NEXT_OPEN)
    assert _to(out, "kiosk", "k1") == [
        {"type": "unavailable", "reason": "wait_limit", "next_open": NEXT_OPEN.isoformat(), "call_id": c}
    ]
    assert r.status().callers_waiting == 0
    r.kiosk_call("k1", "HQ", "HRSS", "en", 61)  # may call again


def test_each_site_has_its_own_wait_limit() -> None:
    limits = {"STATION": 30.0, "HQ": None}  # HQ says nothing: the node's default applies
    r = InMemoryRouting(lambda peer: [], RoutingLimits(wait_limit_s=60), wait_limit_for=limits.get)
    station, _ = r.kiosk_call("k1", "STATION", "HRSS", "en", 0)
    hall, _ = r.kiosk_call("k2", "HQ", "HRSS", "en", 0)
    assert r.wait_limit_s("STATION") == 30 and r.wait_limit_s("HQ") == 60
    out = r.tick(30, lambda s: NEXT_OPEN)
    assert [m["call_id"] for m in _to(out, "kiosk", "k1", "unavailable")] == [station]
    # The caller at HQ keeps waiting, one place further up.
    assert _to(out, "kiosk", "k2") == [{"type": "queued", "call_id": hall, "position": 1, "eta_s": 240}]
    out = r.tick(60, lambda s: NEXT_OPEN)
    assert [m["call_id"] for m in _to(out, "kiosk", "k2", "unavailable")] == [hall]


def test_a_kiosk_has_one_call_at_a_time() -> None:
    r = _router()
    r.kiosk_call("k1", "HQ", "HRSS", "en", 0)
    with pytest.raises(MessageError) as info:
        r.kiosk_call("k1", "HQ", "TAX", "en", 1)
    assert info.value.code == "call_in_progress"
    assert r.status().callers_waiting == 1


def test_agent_leaving_while_ringing_requeues_the_caller() -> None:
    r = _router()
    _agent(r, "a", ["HRSS"], 0)
    c, _ = r.kiosk_call("k1", "HQ", "HRSS", "en", 1)
    r.remove_agent("a", 2, "staff_vanished")
    assert r.calls[c].state == "queued"
    out = _agent(r, "b", ["HRSS"], 3)
    assert _to(out, "staff", "b", "incoming")


def test_agent_leaving_mid_call_ends_it_for_the_kiosk() -> None:
    r = _router()
    _agent(r, "a", ["HRSS"], 0)
    c, _ = r.kiosk_call("k1", "HQ", "HRSS", "en", 1)
    r.accept("a", c, 2)
    out = r.remove_agent("a", 3, "staff_vanished")
    assert _to(out, "kiosk", "k1") == [{"type": "ended", "call_id": c, "reason": "staff_vanished"}]
    assert r.status().calls_active == 0


def test_kiosk_gone_frees_the_agent_and_withdraws_a_ringing_call() -> None:
    r = _router()
    _agent(r, "a", ["HRSS"], 0)
    c, _ = r.kiosk_call("k1", "HQ", "HRSS", "en", 1)
    out = r.kiosk_gone("k1", 2, "kiosk_vanished")
    assert _to(out, "staff", "a") == [{"type": "withdrawn", "call_id": c, "reason": "kiosk_vanished"}]
    assert r.agents["a"].free
    c2, _ = r.kiosk_call("k2", "HQ", "HRSS", "en", 3)
    r.accept("a", c2, 4)
    out = r.kiosk_gone("k2", 5, "kiosk_vanished")
    assert _to(out, "staff", "a") == [{"type": "ended", "call_id": c2, "reason": "kiosk_vanished"}]
    assert not _to(out, "kiosk", "k2")


def test_hangup_tells_both_ends_and_rejects_strangers() -> None:
    r = _router()
    _agent(r, "a", ["HRSS"], 0)
    c, _ = r.kiosk_call("k1", "HQ", "HRSS", "en", 1)
    r.accept("a", c, 2)
    with pytest.raises(MessageError):
        r.hangup(("kiosk", "k9"), c, "kiosk_hangup", 3)
    out = r.hangup(("staff", "a"), c, "staff_hangup", 3)
    assert _to(out, "kiosk", "k1") == [{"type": "ended", "call_id": c, "reason": "staff_hangup"}]
    assert _to(out, "staff", "a") == [{"type": "ended", "call_id": c, "reason": "staff_hangup"}]


def test_away_agents_get_no_calls_and_eta_uses_agents_online() -> None:
    r = _router(mean_call_s=120)
    r.add_agent("a", "A", 0)
    r.presence("a", "away", ["HRSS"], 0)
    _, out = r.kiosk_call("k1", "HQ", "HRSS", "en", 1)
    assert not _to(out, "staff", "a", "incoming")
    assert _to(out, "kiosk", "k1", "queued")[0]["eta_s"] == 120
    assert r.status().agents_online == 0


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError):
        RoutingLimits(wait_limit_s=0)
