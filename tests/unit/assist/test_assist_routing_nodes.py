"""Routing when a kiosk's node goes away: a talk ends, a wait keeps its place for the caller's return."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from remote_assist.routing import InMemoryRouting, Outbound, RoutingLimits
from remote_assist.routing_codec import CodecError, decode_agent, decode_call, encode_agent, encode_call
from remote_assist.schema import MessageError

NEXT_OPEN = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _router(node: str, **limits: float) -> InMemoryRouting:
    return InMemoryRouting(lambda peer: [], RoutingLimits(**limits), node=node)


def _to(out: list[Outbound], role: str, name: str, kind: str) -> list[dict[str, Any]]:
    return [o.message for o in out if o.to == (role, name) and o.message["type"] == kind]


def _moved(r: InMemoryRouting, node: str) -> InMemoryRouting:
    """The same state as another node sees it (as RedisExchange loads it for each change)."""
    other = _router(node, **{"resume_grace_s": r.limits.resume_grace_s})
    other.load(
        {k: decode_agent(encode_agent(a)) for k, a in r.agents.items()},
        {k: decode_call(encode_call(c)) for k, c in r.calls.items()},
        max((c.seq for c in r.calls.values()), default=0),
    )
    return other


def test_a_waiting_caller_of_a_lost_node_keeps_its_place_through_another_node() -> None:
    a = _router("A")
    first, _ = a.kiosk_call("k1", "HQ", "HRSS", "zh-Hans", 0)
    a.kiosk_call("k2", "HQ", "HRSS", "zh-Hans", 1)
    b = _moved(a, "B")
    assert b.kiosk_lost("k1", 2, "node_lost") == []
    # Meanwhile a third caller lines up: behind the one who is away.
    _, out = b.kiosk_call("k3", "HQ", "HRSS", "zh-Hans", 3)
    assert _to(out, "kiosk", "k3", "queued")[0]["position"] == 3
    again, out = b.kiosk_call("k1", "HQ", "HRSS", "en", 4, resume=first)
    assert again == first
    assert _to(out, "kiosk", "k1", "queued")[0]["position"] == 1
    assert b.calls[first].node == "B" and b.calls[first].lang == "en"


def test_an_away_caller_is_not_rung_and_its_place_lapses_after_the_grace() -> None:
    r = _router("B", resume_grace_s=10)
    call_id, _ = r.kiosk_call("k1", "HQ", "HRSS", "zh-Hans", 0)
    r.kiosk_lost("k1", 1, "node_lost")
    r.add_agent("a", "A", 2)
    out = r.presence("a", "available", ["HRSS"], 2)
    assert not _to(out, "staff", "a", "incoming")
    r.tick(10.5, lambda site: NEXT_OPEN)
    assert call_id in r.calls
    r.tick(11, lambda site: NEXT_OPEN)
    assert call_id not in r.calls
    _, out = r.kiosk_call("k1", "HQ", "HRSS", "zh-Hans", 12, resume=call_id)
    assert _to(out, "staff", "a", "incoming")  # a new call, rung at once


def test_a_ringing_call_of_a_lost_node_is_withdrawn_and_a_talk_ends_as_node_lost() -> None:
    r = _router("B")
    r.add_agent("a", "A", 0)
    r.presence("a", "available", ["HRSS"], 0)
    r.add_agent("b", "B", 0)
    r.presence("b", "available", ["HRSS"], 1)
    ringing, _ = r.kiosk_call("k1", "HQ", "HRSS", "zh-Hans", 2)
    out = r.kiosk_lost("k1", 3, "node_lost")
    withdrawn = {"type": "withdrawn", "call_id": ringing, "reason": "node_lost"}
    assert _to(out, "staff", "a", "withdrawn") == [withdrawn]
    talking, _ = r.kiosk_call("k2", "HQ", "HRSS", "zh-Hans", 4)
    agent = r.calls[talking].agent
    assert agent is not None
    r.accept(agent, talking, 5)
    out = r.kiosk_lost("k2", 6, "node_lost")
    assert _to(out, "staff", agent, "ended") == [{"type": "ended", "call_id": talking, "reason": "node_lost"}]
    assert talking not in r.calls


def test_a_second_call_on_the_same_node_is_still_refused() -> None:
    r = _router("A")
    call_id, _ = r.kiosk_call("k1", "HQ", "HRSS", "zh-Hans", 0)
    for resume in (None, call_id):
        with pytest.raises(MessageError) as caught:
            r.kiosk_call("k1", "HQ", "HRSS", "zh-Hans", 1, resume=resume)
        assert caught.value.code == "call_in_progress"


def test_a_caller_back_through_another_node_with_its_call_id_resumes_even_before_the_loss_is_seen() -> None:
    a = _router("A")
    call_id, _ = a.kiosk_call("k1", "HQ", "HRSS", "zh-Hans", 0)
    b = _moved(a, "B")
    with pytest.raises(MessageError):
        b.kiosk_call("k1", "HQ", "HRSS", "zh-Hans", 1)  # no id: not obviously the same caller
    assert b.kiosk_call("k1", "HQ", "HRSS", "zh-Hans", 1, resume=call_id)[0] == call_id


@pytest.mark.parametrize("raw", ["", "[]", "{}", '{"username": "a"}', '{"skills": 3}', "nan"])
def test_unreadable_records_raise_codec_errors(raw: str) -> None:
    with pytest.raises(CodecError):
        decode_agent(raw)
    with pytest.raises(CodecError):
        decode_call(raw)
