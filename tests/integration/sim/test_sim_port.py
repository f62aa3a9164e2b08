"""AsyncPort over loop://, a real pseudo-terminal and loopback TCP, including vanishing ports."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from pathlib import Path

import pytest

from terminal_drivers.errors import DeviceBusy, DeviceDisconnected, DeviceNotFound, DeviceTimeout
from terminal_drivers.port import AsyncPort
from terminal_drivers.sim.runner import DeviceServer


async def test_loop_reads_exactly_until_and_partial() -> None:
    async with AsyncPort("loop://") as port:
        await port.write(b"ab\r\ncd\nrest")
        assert await port.read_until([b"\n", b"\r\n"], 1.0) == b"ab\r\n"
        assert await port.read_until(b"\n", 1.0) == b"cd\n"
        assert await port.read_exactly(2, 1.0) == b"re"
        assert await port.read(10, 1.0) == b"st"
        assert await port.read(10, 0.05) == b""


async def test_read_exactly_times_out_and_keeps_partial_bytes() -> None:
    async with AsyncPort("loop://") as port:
        await port.write(b"xy")
        with pytest.raises(DeviceTimeout) as caught:
            await port.read_exactly(5, 0.1)
        assert caught.value.code == "device_timeout"
        assert await port.read(5, 0.1) == b"xy"


async def test_read_until_without_terminator_times_out() -> None:
    async with AsyncPort("loop://") as port:
        await port.write(b"no end")
        with pytest.raises(DeviceTimeout):
            await port.read_until(b"\r", 0.1)


async def test_read_until_idle_gap_ends_a_scan_without_terminator() -> None:
    async with AsyncPort("loop://") as port:
        await port.write(b"https://example/qr")
        assert await port.read_until(b"\r", 2.0, idle_gap=0.05) == b"https://example/qr"


async def test_reset_input_discards_buffered_bytes() -> None:
    async with AsyncPort("loop://") as port:
        await port.write(b"stale")
        await port.read_exactly(1, 1.0)
        async with asyncio.timeout(5):
            # No event exists for "the rest is buffered"; poll the counter briefly.
            while port.in_waiting < 4:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        port.reset_input()
        assert port.in_waiting == 0
        await port.write(b"fresh")
        assert await port.read_exactly(5, 1.0) == b"fresh"


def _hold_the_loop(seconds: float) -> None:
    """Block the event loop thread (deliberately) while the port's reader thread keeps reading."""
    threading.Event().wait(seconds)


async def test_reset_input_voids_bytes_already_on_their_way(server: DeviceServer) -> None:
    async with AsyncPort(server.start_pty()) as port:
        await port.write(b"stale")
        # The echo arrives while the loop is held: the reader thread reads it and queues its
        # delivery, which runs only after reset_input(). It must still be discarded.
        _hold_the_loop(0.3)
        port.reset_input()
        assert await port.read(64, 0.1) == b""
        await port.write(b"fresh")
        assert await port.read_exactly(5, 2.0) == b"FRESH"


async def test_reader_threads_end_with_their_ports() -> None:
    def readers() -> list[str]:
        return [t.name for t in threading.enumerate() if t.name.startswith("port-reader")]

    for _ in range(5):
        async with AsyncPort("loop://") as port:
            await port.write(b"x")
            await port.read_exactly(1, 1.0)
            assert readers() == ["port-reader loop://"]
    assert readers() == []


async def test_closed_port_refuses_io() -> None:
    port = AsyncPort("loop://")
    assert not port.is_open
    with pytest.raises(DeviceDisconnected):
        await port.write(b"x")
    with pytest.raises(DeviceDisconnected):
        await port.read(1, 0.1)
    await port.open()
    assert port.is_open
    await port.close()
    await port.close()
    assert not port.is_open


@pytest.mark.parametrize("name", ["ttyUSB9", "busy_lock_port"])
async def test_missing_path_is_device_not_found(tmp_path: Path, name: str) -> None:
    # A path with "busy" in it must not read as a busy port.
    with pytest.raises(DeviceNotFound) as caught:
        await AsyncPort(str(tmp_path / name)).open()
    assert caught.value.code == "device_not_found"


async def test_port_open_twice_is_busy(server: DeviceServer) -> None:
    path = server.start_pty()
    async with AsyncPort(path):
        with pytest.raises(DeviceBusy):
            await AsyncPort(path).open()


async def test_concurrent_opens_share_one_port(server: DeviceServer) -> None:
    port = AsyncPort(server.start_pty())
    try:
        await asyncio.gather(port.open(), port.open(), port.reopen())
        assert port.is_open
        await port.write(b"once")
        assert await port.read_exactly(4, 2.0) == b"ONCE"
    finally:
        await port.close()


async def test_cancelled_open_does_not_keep_the_port_locked(server: DeviceServer) -> None:
    path = server.start_pty()
    for _ in range(10):
        opening = asyncio.ensure_future(AsyncPort(path).open())
        await asyncio.sleep(0)
        opening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await opening
    # Whatever the cancelled opens managed to open is closed again: the port is free.
    async with asyncio.timeout(5):
        while True:
            try:
                async with AsyncPort(path) as port:
                    await port.write(b"free")
                    assert await port.read_exactly(4, 2.0) == b"FREE"
                break
            except DeviceBusy:
                await asyncio.sleep(0.05)  # a cancelled open's thread may still be finishing


async def test_pty_round_trip_keeps_bytes_between_reads(server: DeviceServer) -> None:
    path = server.start_pty()
    async with AsyncPort(path) as port:
        await port.write(b"one")
        await port.write(b"two")
        assert await port.read_exactly(6, 2.0) == b"ONETWO"


async def test_large_reply_over_pty(server: DeviceServer) -> None:
    # A 1295-byte ID card read reply is the largest frame the drivers expect; go well beyond it.
    payload = bytes(range(97, 123)) * 200
    path = server.start_pty()
    async with AsyncPort(path) as port:
        await port.write(payload)
        assert await port.read_exactly(len(payload), 5.0) == payload.upper()


def _link_is_live(link: str) -> bool | None:
    """None: no link; False: a dangling link; True: a link to an existing pty."""
    if not os.path.lexists(link):
        return None
    return os.path.exists(os.readlink(link))


async def test_pty_unplug_is_disconnect_and_link_survives_replug(
    server: DeviceServer, tmp_path: Path
) -> None:
    link = str(tmp_path / "dev" / "printer")
    assert server.start_pty(link=link) == link
    first_target = os.readlink(link)
    async with AsyncPort(link) as port:
        await port.write(b"a")
        assert await port.read_exactly(1, 2.0) == b"A"
        server.control("unplug")
        assert _link_is_live(link) is None
        # Whether the reader thread or tcflush notices first, a vanished pty is a disconnect.
        with pytest.raises(DeviceDisconnected):
            port.reset_input()
        with pytest.raises(DeviceDisconnected):
            await port.read(1, 2.0)
        assert not port.is_open
        with pytest.raises(DeviceDisconnected):
            await port.write(b"b")
        with pytest.raises(DeviceNotFound):
            await port.reopen()
        server.control("replug")
        assert _link_is_live(link) is True
        await port.reopen()
        assert port.is_open
        await port.write(b"back")
        assert await port.read_exactly(4, 2.0) == b"BACK"
    assert first_target.startswith("/dev/pts/")


async def test_control_from_a_loop_while_reading(server: DeviceServer) -> None:
    async with AsyncPort(server.start_pty()) as port:
        waiting = asyncio.ensure_future(port.read_until(b"\r", 5.0))
        assert await server.acontrol("say", {"data": "6901234567892\r"}) == {"queued": 14}
        assert await waiting == b"6901234567892\r"


async def test_tcp_unplug_replug(server: DeviceServer) -> None:
    url = server.start_tcp()
    assert url.startswith("socket://127.0.0.1:")
    async with AsyncPort(url) as port:
        await port.write(b"hi")
        assert await port.read_exactly(2, 2.0) == b"HI"
        server.control("unplug")
        with pytest.raises(DeviceDisconnected):
            await port.read(1, 2.0)
        with pytest.raises(DeviceNotFound):
            await port.reopen()
        server.control("replug")
        await port.reopen()
        await port.write(b"ok")
        assert await port.read_exactly(2, 2.0) == b"OK"
