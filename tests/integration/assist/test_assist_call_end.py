"""A hall that closes the kiosk's socket mid-answer ends the call as signaling_lost, not as a crash."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

from remote_assist.call_end import end_code
from remote_assist.kiosk_peer import KioskPeer
from remote_assist.media import synthetic_media


async def test_a_socket_closed_while_the_kiosk_answers_ends_the_call_as_signaling_lost() -> None:
    async def hall(ws: Any) -> None:
        await ws.recv()  # the call
        await ws.send(json.dumps({"type": "queued", "call_id": "c1", "position": 1, "eta_s": 60}))
        # A ping and at once the close (a heartbeat the hall gave up on): the pong meets a closed socket.
        await ws.send(json.dumps({"type": "ping"}))
        await ws.close(1008, "vanished")

    async with websockets.serve(hall, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        peer = KioskPeer(f"http://127.0.0.1:{port}", "kt", media=lambda: synthetic_media("k", 320, 240))
        reason = await asyncio.wait_for(peer.call("general"), 10)
    assert end_code(reason) == "signaling_lost"
