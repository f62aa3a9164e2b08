"""What a kiosk's call stands on: its error, its timing, the signaling URL, the ICE wait and the warm-up.

Kept apart from the peer so the kiosk's flow and the technician's test call share them.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit, urlunsplit

import aioice
from aiortc import RTCConfiguration, RTCPeerConnection


class AssistCallError(Exception):
    """A call that could not be made; ``code`` is stable (``hall_unreachable``, ``unauthorized``, …)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def bound_ice_gathering(seconds: float) -> None:
    """Wait at most ``seconds`` for STUN/TURN answers while gathering (aioice waits 5 s by default).

    aiortc gathers every candidate before the offer and offers no setting for this wait, which is
    the ``timeout`` default of aioice's ``Connection.get_component_candidates``; host candidates are
    ready at once, so a server that does not answer costs at most ``seconds``.
    """
    function = aioice.Connection.get_component_candidates
    function.__defaults__ = (max(0.1, seconds),)


@dataclass
class CallStats:
    """Monotonic instants of one call, for the technician's test call and the benchmark."""

    called_at: float | None = None
    accepted_at: float | None = None
    offer_sent_at: float | None = None
    connected_at: float | None = None
    first_video_at: float | None = None
    first_audio_at: float | None = None
    ended_at: float | None = None
    end_reason: str | None = None
    messages_in: list[str] = field(default_factory=list)


def ws_url(hall_url: str, role: str, token: str = "") -> str:
    """The signaling socket's URL; without ``token`` the caller sends it in the first message (DESIGN
    §4.9), which keeps it out of proxies' and servers' request logs."""
    parts = urlsplit(hall_url)
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
        raise AssistCallError("invalid_hall_url", f"not an http(s) URL: {hall_url!r}")
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    path = parts.path.rstrip("/") + f"/ws/assist/{role}"
    return urlunsplit((scheme, parts.netloc, path, f"token={quote(token)}" if token else "", ""))


def tls_context(url: str, ca_file: str = "") -> ssl.SSLContext | None:
    """For a ``wss://`` socket: trust ``ca_file`` alone (the hall's private CA), else the system's CAs."""
    if not url.startswith("wss://"):
        return None
    return ssl.create_default_context(cafile=ca_file or None)



async def warm_up(timeout_s: float = 5.0) -> float:
    """Pay aiortc's one-off start-up (DTLS context, codecs, threads) with a loopback pair; seconds taken."""
    start = time.monotonic()
    bound_ice_gathering(1.0)
    a = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    b = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    opened = asyncio.Event()
    channel = a.createDataChannel("warm-up")
    channel.on("open", opened.set)
    try:
        await a.setLocalDescription(await a.createOffer())
        await b.setRemoteDescription(a.localDescription)
        await b.setLocalDescription(await b.createAnswer())
        await a.setRemoteDescription(b.localDescription)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(opened.wait(), timeout_s)
    finally:
        await a.close()
        await b.close()
    return time.monotonic() - start

