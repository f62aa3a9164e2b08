"""Revoked parties lose their socket at once; tokens may come in the first message instead of the URL."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from .conftest import Peer, Relay

POLICY_VIOLATION = 1008


async def _wait_closed(peer: Peer, within_s: float) -> tuple[int | None, str]:
    with pytest.raises(ConnectionClosed):
        async with asyncio.timeout(within_s):
            while True:
                await peer.ws.recv()
    return peer.ws.close_code, peer.ws.close_reason


@pytest.mark.parametrize(("url", "party"), [("/ws/assist/kiosk?token=kt-k1", ("kiosk", "k1")),
                                            ("/ws/assist/staff?token=st-a", ("staff", "a"))])
async def test_disconnect_closes_the_party_socket_within_a_second(relay: Relay, url: str,
                                                                  party: tuple[str, str]) -> None:
    peer = await Peer.connect(relay.url + url)
    await peer.expect("welcome")
    started = time.monotonic()
    relay.hub.disconnect_threadsafe(party, "token_revoked")  # type: ignore[arg-type]
    code, reason = await _wait_closed(peer, 1.0)
    assert time.monotonic() - started < 1.0
    assert code == POLICY_VIOLATION and reason == "token_revoked"
    assert party not in relay.hub.connections


async def test_disconnect_of_an_absent_party_is_harmless(relay: Relay) -> None:
    assert await relay.hub.disconnect(("kiosk", "nobody"), "token_revoked") is False


async def test_token_in_the_first_message_authenticates(relay: Relay) -> None:
    peer = Peer(await websockets.connect(relay.url + "/ws/assist/kiosk", ping_interval=None))
    await peer.send({"type": "auth", "token": "kt-k2"})
    welcome = await peer.expect("welcome")
    assert welcome["kiosk"] == "k2"
    await peer.close()


async def test_a_wrong_first_message_token_is_refused(relay: Relay) -> None:
    peer = Peer(await websockets.connect(relay.url + "/ws/assist/staff", ping_interval=None))
    await peer.send({"type": "auth", "token": "nope"})
    assert json.loads(await peer.ws.recv())["code"] == "unauthorized"
    code, _reason = await _wait_closed(peer, 5)
    assert code == POLICY_VIOLATION
