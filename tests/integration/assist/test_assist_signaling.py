"""The signaling relay over real WebSockets on a real uvicorn server."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from remote_assist.signaling import SignalingSettings

from .conftest import NEXT_OPEN, Peer, Relay

POLICY_VIOLATION = 1008


async def _closed_code(peer: Peer) -> int | None:
    with pytest.raises(ConnectionClosed):
        async with asyncio.timeout(10):
            while True:
                await peer.ws.recv()
    return peer.ws.close_code


async def _agent(relay: Relay, token: str = "st-a", skills: tuple[str, ...] = ("HRSS",)) -> Peer:
    peer = await Peer.connect(relay.staff_url(token))
    welcome = await peer.expect("welcome")
    assert welcome["heartbeat_s"] >= 1
    await peer.send({"type": "presence", "state": "available", "skills": list(skills)})
    return peer


async def _call(relay: Relay, agent: Peer, token: str = "kt-k1") -> tuple[Peer, str]:
    kiosk = await Peer.connect(relay.kiosk_url(token))
    await kiosk.send({"type": "call", "skill": "HRSS", "lang": "zh-Hans"})
    incoming = await agent.expect("incoming")
    await agent.send({"type": "accept", "call_id": incoming["call_id"]})
    accepted = await kiosk.expect("accepted")
    assert accepted["call_id"] == incoming["call_id"]
    await agent.expect("accepted")
    return kiosk, incoming["call_id"]


@pytest.mark.parametrize(
    "path", ["/ws/assist/kiosk", "/ws/assist/kiosk?token=nope", "/ws/assist/staff?token=kt-k1"]
)
async def test_unauthenticated_socket_is_refused_and_closed(relay: Relay, path: str) -> None:
    peer = Peer(await websockets.connect(relay.url + path, ping_interval=None))
    message = json.loads(await peer.ws.recv())
    assert message["type"] == "error" and message["code"] == "unauthorized"
    assert await _closed_code(peer) == POLICY_VIOLATION
    assert not relay.hub.connections


async def test_counter_staff_may_not_take_calls(relay: Relay) -> None:
    peer = Peer(await websockets.connect(relay.staff_url("st-counter"), ping_interval=None))
    assert json.loads(await peer.ws.recv())["code"] == "forbidden"
    assert await _closed_code(peer) == POLICY_VIOLATION


async def test_full_call_relays_sdp_and_candidates_and_hangup_reaches_both(relay: Relay) -> None:
    agent = await _agent(relay)
    kiosk = await Peer.connect(relay.kiosk_url())
    await kiosk.expect("welcome")
    await kiosk.send({"type": "call", "skill": "HRSS", "lang": "en"})
    queued = await kiosk.ws.recv()
    assert json.loads(queued)["position"] == 1
    incoming = await agent.expect("incoming")
    assert (incoming["kiosk"], incoming["site"], incoming["skill"], incoming["lang"]) == (
        "k1",
        "HQ",
        "HRSS",
        "en",
    )
    call_id = incoming["call_id"]
    await agent.send({"type": "accept", "call_id": call_id})
    accepted = await kiosk.expect("accepted")
    assert accepted["agent"] == {"id": "a", "name": "坐席甲"} and accepted["ice_servers"] == []
    assert (await agent.expect("accepted"))["kiosk"] == "k1"

    await kiosk.send({"type": "offer", "call_id": call_id, "sdp": "v=0 offer"})
    assert (await agent.expect("offer"))["sdp"] == "v=0 offer"
    await agent.send({"type": "answer", "call_id": call_id, "sdp": "v=0 answer"})
    assert (await kiosk.expect("answer"))["sdp"] == "v=0 answer"
    cand = {
        "type": "candidate",
        "call_id": call_id,
        "candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host",
        "sdpMid": "0",
        "sdpMLineIndex": 0,
    }
    await agent.send(cand)
    assert await kiosk.expect("candidate") == cand

    await agent.send({"type": "hangup", "call_id": call_id, "note": "told the citizen what to bring"})
    assert await kiosk.expect("ended") == {"type": "ended", "call_id": call_id, "reason": "staff_hangup"}
    assert (await agent.expect("ended"))["reason"] == "staff_hangup"
    assert relay.hub.notes[call_id] == "told the citizen what to bring"
    assert relay.hub.status()["calls_active"] == 0
    await kiosk.close()
    await agent.close()


async def test_bad_messages_get_stable_codes_and_change_nothing(relay: Relay) -> None:
    agent = await _agent(relay)
    kiosk, call_id = await _call(relay, agent)
    other = await Peer.connect(relay.kiosk_url("kt-k2"))
    await other.expect("welcome")
    cases = [
        ({"type": "dance"}, "unknown_type"),
        ({"type": "call", "skill": "HRSS"}, "missing_field"),
        ({"type": "call", "skill": "HRSS", "lang": "en", "x": 1}, "unexpected_field"),
        ({"type": "call", "skill": 5, "lang": "en"}, "invalid_field"),
        ({"type": "offer", "call_id": call_id, "sdp": "v=0"}, "not_your_call"),  # k2 is not in that call
        ({"type": "hangup", "call_id": call_id}, "not_your_call"),
    ]
    for message, code in cases:
        await other.send(message)
        error = await other.expect("error")
        assert error["code"] == code, message
    await kiosk.send({"type": "call", "skill": "HRSS", "lang": "en"})
    assert (await kiosk.expect("error"))["code"] == "call_in_progress"
    await agent.send({"type": "accept", "call_id": "c_forged"})
    assert (await agent.expect("error"))["code"] == "not_your_call"
    # Still one active call between k1 and a, and the sockets are still open.
    assert relay.hub.routing.call_of(("kiosk", "k1")) == call_id
    assert relay.hub.routing.call_of(("kiosk", "k2")) is None
    await other.send({"type": "pong"})
    await kiosk.send({"type": "offer", "call_id": call_id, "sdp": "v=0"})
    assert (await agent.expect("offer"))["sdp"] == "v=0"
    for peer in (kiosk, other, agent):
        await peer.close()


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ("not json", "invalid_json"),
        ("[1]", "not_an_object"),
        (json.dumps({"type": "offer", "call_id": "c", "sdp": "x" * 70000}), "message_too_large"),
        (b"\x00\x01binary", "binary_not_supported"),
    ],
)
async def test_malformed_traffic_closes_the_socket(relay: Relay, payload: str | bytes, code: str) -> None:
    peer = await Peer.connect(relay.kiosk_url())
    await peer.expect("welcome")
    await peer.ws.send(payload)
    assert (await peer.expect("error"))["code"] == code
    assert await _closed_code(peer) == POLICY_VIOLATION


async def test_flooding_is_rate_limited(relay: Relay) -> None:
    peer = await Peer.connect(relay.kiosk_url())
    await peer.expect("welcome")
    for _ in range(60):
        await peer.send({"type": "pong"})
    assert (await peer.expect("error"))["code"] == "rate_limited"
    assert await _closed_code(peer) == POLICY_VIOLATION


async def test_outside_staffed_hours_the_kiosk_is_told_when_it_opens(relay: Relay) -> None:
    await _agent(relay)
    kiosk = await Peer.connect(relay.kiosk_url("kt-night"))
    await kiosk.send({"type": "call", "skill": "HRSS", "lang": "zh-Hans"})
    unavailable = await kiosk.expect("unavailable")
    assert unavailable == {
        "type": "unavailable",
        "reason": "outside_hours",
        "next_open": NEXT_OPEN.isoformat(),
    }
    assert relay.hub.status()["callers_waiting"] == 0


async def test_queue_positions_move(relay: Relay) -> None:
    k1 = await Peer.connect(relay.kiosk_url("kt-k1"))
    k2 = await Peer.connect(relay.kiosk_url("kt-k2"))
    await k1.send({"type": "call", "skill": "HRSS", "lang": "en"})
    await k2.send({"type": "call", "skill": "HRSS", "lang": "en"})
    positions = []
    async with asyncio.timeout(10):
        while not positions:
            message = json.loads(await k2.ws.recv())
            if message["type"] == "queued":
                positions.append(message["position"])
    assert positions == [2]
    await k1.send({"type": "hangup", "call_id": relay.hub.routing.call_of(("kiosk", "k1"))})
    async with asyncio.timeout(10):
        while True:
            message = json.loads(await k2.ws.recv())
            if message["type"] == "queued":
                assert message["position"] == 1
                break
    await k1.close()
    await k2.close()


async def test_waiting_past_the_limit_offers_booking(quick_relay: Relay) -> None:
    kiosk = await Peer.connect(quick_relay.kiosk_url())
    await kiosk.send({"type": "call", "skill": "HRSS", "lang": "en"})
    unavailable = await kiosk.expect("unavailable")
    assert unavailable["reason"] == "wait_limit" and unavailable["next_open"] == NEXT_OPEN.isoformat()
    assert quick_relay.hub.status()["callers_waiting"] == 0
    await kiosk.close()


def test_default_heartbeat_notices_a_vanished_peer_within_five_seconds() -> None:
    assert SignalingSettings().vanish_bound_s <= 5.0


async def test_kiosk_that_stops_answering_is_noticed_and_the_agent_told(quick_relay: Relay) -> None:
    agent = await _agent(quick_relay)
    kiosk, call_id = await _call(quick_relay, agent)
    # The kiosk keeps its TCP connection but says nothing more (no FIN, no pong).
    ended = await agent.expect("ended")
    assert ended == {"type": "ended", "call_id": call_id, "reason": "kiosk_vanished"}
    assert ("kiosk", "k1") not in quick_relay.hub.connections
    await agent.close()
    await kiosk.ws.close()


async def test_agent_that_stops_answering_ends_the_call_for_the_kiosk(quick_relay: Relay) -> None:
    agent = await _agent(quick_relay)
    kiosk, _call_id = await _call(quick_relay, agent)
    ended = await kiosk.expect("ended")  # the kiosk answers pings while it waits; the agent does not
    assert ended["reason"] == "staff_vanished"
    await kiosk.close()
    await agent.ws.close()


async def test_closed_socket_ends_the_call_at_once(relay: Relay) -> None:
    agent = await _agent(relay)
    kiosk, _call_id = await _call(relay, agent)
    await kiosk.close()
    assert (await agent.expect("ended"))["reason"] == "kiosk_left"
    await agent.close()


async def test_second_login_replaces_the_first(relay: Relay) -> None:
    first = await _agent(relay)
    second = await _agent(relay)
    assert (await first.expect("error"))["code"] == "replaced"
    assert await _closed_code(first) == POLICY_VIOLATION
    kiosk = await Peer.connect(relay.kiosk_url())
    await kiosk.send({"type": "call", "skill": "HRSS", "lang": "en"})
    await second.expect("incoming")
    await kiosk.close()
    await second.close()


async def test_a_caller_is_pinged_and_its_pongs_keep_it(relay: Relay) -> None:
    kiosk = await Peer.connect(relay.kiosk_url())
    await kiosk.expect("welcome")
    await kiosk.send({"type": "call", "skill": "HRSS", "lang": "en"})
    kiosk.pong = False
    assert await kiosk.expect("ping") == {"type": "ping"}
    for _ in range(3):  # longer than the silence limit (4 s) passes while the pongs go back
        await kiosk.send({"type": "pong"})
        await kiosk.expect("ping")
    assert ("kiosk", "k1") in relay.hub.connections
    await kiosk.close()


def test_idle_kiosks_are_pinged_less_often_than_calls() -> None:
    settings = SignalingSettings()
    assert settings.idle_heartbeat_interval_s > settings.heartbeat_interval_s
    with pytest.raises(ValueError):
        SignalingSettings(idle_heartbeat_interval_s=1.0)
