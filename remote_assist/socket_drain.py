"""A call's UDP sockets read every waiting datagram each time the event loop wakes, not one.

asyncio's datagram transport reads a single datagram per wake-up. On a kiosk whose one thread
also draws the screen, the loop may wake only a few times a second under load; the staff's video
and sound alone are 80+ datagrams a second, so the kernel's buffer overflows and drops packets
without regard to what they carry. A dropped data-channel packet waits for SCTP's retransmission,
whose timer doubles each time: that is how a chat line came 20 s late. Reading everything that
waits keeps every packet; the video decoder then catches up on its own thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

BATCH = 256  # a wake-up reads at most this many, so a flood cannot hold the loop
RECEIVE_BUFFER = 1 << 20  # bytes asked of the kernel (it caps this at net.core.rmem_max)


def _ice_connections(pc: Any) -> Iterable[Any]:
    dtls = {t.sender.transport for t in pc.getTransceivers() if t.sender.transport is not None}
    if pc.sctp is not None:
        dtls.add(pc.sctp.transport)
    seen: set[int] = set()
    for transport in dtls:
        connection = getattr(transport.transport, "_connection", None)
        if connection is not None and id(connection) not in seen:
            seen.add(id(connection))
            yield connection


def _reader(transport: Any, batch: int) -> Callable[[], None]:
    sock: socket.socket = transport._sock
    protocol = transport._protocol

    def read_waiting() -> None:
        for _ in range(batch):
            if transport._conn_lost:
                return
            try:
                data, addr = sock.recvfrom(transport.max_size)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                protocol.error_received(exc)
                return
            protocol.datagram_received(data, addr)

    return read_waiting


def read_all_waiting(pc: Any, batch: int = BATCH) -> int:
    """Make ``pc``'s gathered UDP sockets drain on each wake-up; how many sockets were changed.

    Call after ``setLocalDescription`` (the sockets exist once candidates are gathered). Where the
    loop or the transports are not the ones this knows (another event loop, a TURN relay's
    transport), nothing changes and the call works as before.
    """
    loop = asyncio.get_running_loop()
    add, remove = getattr(loop, "_add_reader", None), getattr(loop, "_remove_reader", None)
    if add is None or remove is None:
        return 0
    changed = 0
    for connection in _ice_connections(pc):
        for protocol in getattr(connection, "_protocols", []):
            transport: Any = getattr(protocol, "transport", None)
            wanted = ("_sock", "_sock_fd", "_protocol", "_conn_lost")
            if transport is None or not all(hasattr(transport, name) for name in wanted):
                continue
            with contextlib.suppress(OSError):
                transport._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
            remove(transport._sock_fd)
            add(transport._sock_fd, _reader(transport, batch))
            changed += 1
    log.debug("call sockets reading every waiting datagram: %d", changed)
    return changed
