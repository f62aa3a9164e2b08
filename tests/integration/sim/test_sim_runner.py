"""DeviceServer over real ptys and loopback TCP: bytes both ways, every wire fault, clean shutdown."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial

from terminal_drivers.sim.engine import SimControlError
from terminal_drivers.sim.runner import DeviceServer
from terminal_drivers.transport import open_port

from .conftest import EchoEngine


@pytest.fixture
def pty_port(server: DeviceServer) -> Iterator[serial.SerialBase]:
    port = open_port(server.start_pty(), timeout=2.0)
    yield port
    port.close()


def _read(port: serial.SerialBase, n: int) -> bytes:
    return port.read(n)


def test_pty_bytes_both_ways_and_split_writes(
    server: DeviceServer, echo: EchoEngine, pty_port: serial.SerialBase
) -> None:
    pty_port.write(b"AA AA")
    assert _read(pty_port, 5) == b"AA AA"
    pty_port.write(b"fra")
    assert _read(pty_port, 3) == b"FRA"
    pty_port.write(b"me")
    assert _read(pty_port, 2) == b"ME"
    assert b"".join(echo.received) == b"AA AAframe"


def test_unsolicited_output_reaches_pty_and_tcp(server: DeviceServer) -> None:
    pty = open_port(server.start_pty(), timeout=2.0)
    tcp = open_port(server.start_tcp(), timeout=2.0)
    try:
        # The TCP side counts as connected once it has been accepted: prove it with a round trip.
        tcp.write(b"x")
        assert tcp.read(1) == b"X"
        pty.reset_input_buffer()
        assert server.control("say", {"data": "6901234567892\r"}) == {"queued": 14}
        assert pty.read_until(b"\r") == b"6901234567892\r"
        assert tcp.read_until(b"\r") == b"6901234567892\r"
    finally:
        pty.close()
        tcp.close()


def test_tcp_new_connection_replaces_the_old(server: DeviceServer) -> None:
    url = server.start_tcp()
    first = open_port(url, timeout=2.0)
    first.write(b"a")
    assert first.read(1) == b"A"
    second = open_port(url, timeout=2.0)
    try:
        second.write(b"b")
        assert second.read(1) == b"B"
        with pytest.raises(serial.SerialException):
            first.write(b"c")
            first.read(1)
    finally:
        first.close()
        second.close()


def test_reply_delay_is_honoured(echo: EchoEngine, server: DeviceServer, pty_port: serial.SerialBase) -> None:
    echo.delay_s = 1.0
    pty_port.timeout = 0.2
    pty_port.write(b"slow")
    assert pty_port.read(4) == b""
    pty_port.timeout = 5.0
    assert pty_port.read(4) == b"SLOW"


def test_latency_fault_then_clear(server: DeviceServer, pty_port: serial.SerialBase) -> None:
    assert server.control("latency", {"seconds": 1.0})["faults"]["latency_s"] == 1.0
    pty_port.timeout = 0.2
    pty_port.write(b"late")
    assert pty_port.read(4) == b""
    pty_port.timeout = 5.0
    assert pty_port.read(4) == b"LATE"
    server.control("clear_faults")
    pty_port.write(b"now")
    assert pty_port.read(3) == b"NOW"


def test_replies_never_overtake(echo: EchoEngine, server: DeviceServer, pty_port: serial.SerialBase) -> None:
    echo.slow_prefix = b"slow"
    echo.delay_s = 0.5
    pty_port.write(b"slow")
    # Make sure the two writes reach the engine as two chunks, each with its own delay.
    for _ in range(200):
        if "slow" in server.control("received")["bytes"]:
            break
    pty_port.write(b"fast")
    assert pty_port.read(8) == b"SLOWFAST"


def test_drop_towards_device_and_towards_host(
    echo: EchoEngine, server: DeviceServer, pty_port: serial.SerialBase
) -> None:
    server.control("drop", {"probability": 1.0, "direction": "to_device"})
    pty_port.timeout = 0.3
    pty_port.write(b"lost")
    assert pty_port.read(4) == b""
    assert echo.received == []
    server.control("drop", {"probability": 1.0, "direction": "to_host"})
    pty_port.write(b"heard")
    assert pty_port.read(5) == b""
    assert server.control("received") == {"bytes": "heard"}


def test_partial_drop_is_deterministic_with_a_seed() -> None:
    outcomes = []
    for _ in range(2):
        with DeviceServer(EchoEngine(), seed=42) as srv:
            port = open_port(srv.start_pty(), timeout=0.5)
            try:
                srv.control("drop", {"probability": 0.5, "direction": "to_host"})
                port.write(b"abcdefghijklmnopqrstuvwxyz")
                outcomes.append(port.read(26))
            finally:
                port.close()
    assert outcomes[0] == outcomes[1]
    assert 0 < len(outcomes[0]) < 26
    assert set(outcomes[0]) <= set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def test_garble_flips_one_bit_per_hit_byte(server: DeviceServer, pty_port: serial.SerialBase) -> None:
    server.control("garble", {"probability": 1.0})
    sent = b"\x00\x55\xaa\xff"
    pty_port.write(sent)
    got = pty_port.read(4)
    assert len(got) == 4
    for before, after in zip(sent.upper(), got, strict=True):
        assert bin(before ^ after).count("1") == 1


def test_silence_swallows_everything_until_cleared(
    echo: EchoEngine, server: DeviceServer, pty_port: serial.SerialBase
) -> None:
    server.control("silence")
    pty_port.timeout = 0.3
    pty_port.write(b"anyone")
    server.control("say", {"data": "scan"})
    assert pty_port.read(10) == b""
    assert echo.received == []
    assert server.control("clear_faults")["faults"]["silent"] is False
    pty_port.timeout = 2.0
    pty_port.write(b"yes")
    assert pty_port.read(3) == b"YES"


def test_engine_failure_does_not_kill_the_line(server: DeviceServer, pty_port: serial.SerialBase) -> None:
    pty_port.timeout = 0.3
    pty_port.write(b"crash")
    assert pty_port.read(5) == b""
    pty_port.timeout = 2.0
    pty_port.write(b"fine")
    assert pty_port.read(4) == b"FINE"


def test_unplug_closes_the_line_and_removes_the_link(server: DeviceServer, tmp_path: Path) -> None:
    link = str(tmp_path / "scanner")
    server.start_pty(link=link)
    old_target = os.readlink(link)
    port = open_port(link, timeout=1.0)
    try:
        answer = server.control("unplug")
        assert answer["plugged"] is False
        assert not os.path.lexists(link)
        with pytest.raises(serial.SerialException):
            port.read(1)
        again = server.control("replug")
        assert again["endpoints"][0]["plugged"] is True
        assert os.path.exists(os.readlink(link))
    finally:
        port.close()
    fresh = open_port(link, timeout=2.0)
    try:
        fresh.write(b"ok")
        assert fresh.read(2) == b"OK"
    finally:
        fresh.close()
    assert old_target.startswith("/dev/pts/")


def test_tcp_unplug_refuses_connections_until_replug(server: DeviceServer) -> None:
    url = server.start_tcp()
    port_number = int(url.rsplit(":", 1)[1])
    server.control("unplug")
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port_number), 1.0):
        pass
    server.control("replug")
    assert server.addresses == [url]
    port = open_port(url, timeout=2.0)
    try:
        port.write(b"z")
        assert port.read(1) == b"Z"
    finally:
        port.close()


@pytest.mark.parametrize(
    ("command", "args", "code"),
    [
        ("teleport", {}, "unknown_command"),
        ("", {}, "unknown_command"),
        ("latency", {"seconds": -1}, "bad_argument"),
        ("latency", {"seconds": "soon"}, "bad_argument"),
        ("latency", {}, "bad_argument"),
        ("drop", {"probability": 1.5}, "bad_argument"),
        ("drop", {"probability": 0.5, "direction": "sideways"}, "bad_argument"),
        ("garble", {"probability": True}, "bad_argument"),
        ("garble", {"probability": float("nan")}, "bad_argument"),
    ],
)
def test_bad_control_commands(server: DeviceServer, command: str, args: dict[str, object], code: str) -> None:
    before = server.describe()["faults"]
    with pytest.raises(SimControlError) as caught:
        server.control(command, args)
    assert caught.value.code == code
    assert server.describe()["faults"] == before


def test_existing_regular_file_is_not_replaced_by_a_link(server: DeviceServer, tmp_path: Path) -> None:
    occupied = tmp_path / "printer"
    occupied.write_text("not a device")
    with pytest.raises(FileExistsError):
        server.start_pty(link=str(occupied))
    assert occupied.read_text() == "not a device"


def _open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def test_close_leaks_no_fds_threads_or_links(tmp_path: Path) -> None:
    fds_before = _open_fds()
    threads_before = set(threading.enumerate())
    srv = DeviceServer(EchoEngine())
    link = str(tmp_path / "id_card")
    srv.start_pty(link=link)
    url = srv.start_tcp()
    host_side = open_port(url, timeout=2.0)
    host_side.write(b"q")
    assert host_side.read(1) == b"Q"
    srv.control("unplug")
    srv.control("replug")
    srv.close()
    srv.close()
    host_side.close()
    assert set(threading.enumerate()) == threads_before
    assert _open_fds() == fds_before
    assert not os.path.lexists(link)
    with pytest.raises(SimControlError) as caught:
        srv.control("silence")
    assert caught.value.code == "closed"
