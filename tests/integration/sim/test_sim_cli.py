"""``kiosk-devsim`` as a subprocess: the pty path printed first, ctl commands, bad arguments, signals."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from terminal_drivers.transport import open_port

DEVSIM = str(Path(sys.executable).with_name("kiosk-devsim"))
Start = Callable[..., tuple[subprocess.Popen[str], list[str]]]


def _read_lines(proc: subprocess.Popen[str], count: int, within: float = 20.0) -> list[str]:
    """The first ``count`` lines of the simulator's stdout (it prints them once it serves)."""
    assert proc.stdout is not None
    # Raw reads on the fd: a buffered readline could hide a second line from select().
    fd = proc.stdout.fileno()
    data = b""
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while data.count(b"\n") < count:
            if not sel.select(within):
                raise AssertionError(f"kiosk-devsim printed {data!r} and then nothing")
            chunk = os.read(fd, 4096)
            if not chunk:
                errors = proc.stderr.read() if proc.stderr else ""
                raise AssertionError(f"kiosk-devsim exited {proc.wait(5)}: {errors}")
            data += chunk
    return data.decode().splitlines()[:count]


@pytest.fixture
def start() -> Iterator[Start]:
    procs: list[subprocess.Popen[str]] = []

    def _start(*args: str, lines: int = 1) -> tuple[subprocess.Popen[str], list[str]]:
        proc = subprocess.Popen(
            [DEVSIM, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
        )
        procs.append(proc)
        return proc, _read_lines(proc, lines)

    yield _start
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DEVSIM, *args], capture_output=True, text=True, timeout=30)


def test_printer_on_a_pty_answers_status_and_stops_on_sigterm(start: Start, tmp_path: Path) -> None:
    link = tmp_path / "printer"
    proc, (first,) = start("printer", "--pty", "--link", str(link), "--out", str(tmp_path / "tickets"))
    assert first == str(link)
    assert os.readlink(link).startswith("/dev/pts/")
    port = open_port(first, timeout=5.0)
    try:
        port.write(b"\x10\x04\x01")
        reply = port.read(1)
    finally:
        port.close()
    assert len(reply) == 1 and reply[0] & 0x93 == 0x12
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    assert not os.path.lexists(link)


def test_id_card_with_control_channel_and_ctl(start: Start) -> None:
    proc, (path, control_line) = start(
        "id-card", "--card", "zhang_wei", "--read-delay", "0", "--control", "tcp://127.0.0.1:0", lines=2
    )
    assert path.startswith("/dev/pts/")
    assert control_line.startswith("control http://127.0.0.1:")
    url = control_line.split(" ", 1)[1]

    status = _run("ctl", "--control", url, "status")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout) == {
        "ok": True, "device": "id_card", "card": "zhang_wei", "state": "present", "fault": "none", "reads": 0
    }
    lifted = _run("ctl", "--control", url, "--device", "id_card", "lift_card")
    assert json.loads(lifted.stdout)["card"] is None
    latency = _run("ctl", "--control", url, "latency", "seconds:=0.5")
    assert json.loads(latency.stdout)["faults"]["latency_s"] == 0.5

    refused = _run("ctl", "--control", url, "teleport")
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["error"]["code"] == "unknown_command"
    unknown_card = _run("ctl", "--control", url, "place_card", "name=nobody")
    assert json.loads(unknown_card.stdout)["error"]["code"] == "unknown_card"

    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 0
    gone = _run("ctl", "--control", url, "status")
    assert gone.returncode == 1
    assert json.loads(gone.stdout)["error"]["code"] == "control_unreachable"


def test_listen_on_tcp_prints_the_socket_url(start: Start) -> None:
    _, (first,) = start("printer", "--listen", "tcp://127.0.0.1:0")
    assert first.startswith("socket://127.0.0.1:")
    port = open_port(first, timeout=5.0)
    try:
        port.write(b"\x10\x04\x04")
        assert len(port.read(1)) == 1
    finally:
        port.close()


def test_all_three_on_stable_links_with_one_control_channel(start: Start, tmp_path: Path) -> None:
    folder = tmp_path / "devices"
    proc, (line,) = start(
        "all", "--dir", str(folder), "--out", str(tmp_path / "tickets"), "--control", "tcp://127.0.0.1:0"
    )
    announced = json.loads(line)
    assert {k: announced[k] for k in ("printer", "id_card", "scanner")} == {
        name: str(folder / name) for name in ("printer", "id_card", "scanner")
    }
    names = ("printer", "id_card", "scanner")
    assert all(os.readlink(folder / name).startswith("/dev/pts/") for name in names)
    url = announced["control"]
    placed = _run("ctl", "--control", url, "--device", "id_card", "place_card", "name=zhang_wei")
    assert json.loads(placed.stdout)["card"] == "zhang_wei"
    scanner = open_port(str(folder / "scanner"), 9600, timeout=5.0)
    try:
        scanned = _run("ctl", "--control", url, "--device", "scanner", "scan", "data=HELLO")
        assert scanned.returncode == 0, scanned.stdout
        assert scanner.read_until(b"\r") == b"HELLO\r"
    finally:
        scanner.close()
    no_device = _run("ctl", "--control", url, "status")
    assert json.loads(no_device.stdout)["error"]["code"] == "unknown_device"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    assert not any(os.path.lexists(folder / name) for name in names)


def test_list_cards() -> None:
    result = _run("id-card", "--list-cards")
    assert result.returncode == 0
    names = result.stdout.split()
    assert "zhang_wei" in names and names == sorted(names)


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["printer", "--baud", "fast"],
        ["printer", "--baud", "-9600"],
        ["printer", "--listen", "tcp://10.1.2.3:9100"],
        ["printer", "--listen", "udp://127.0.0.1:9100"],
        ["printer", "--listen", "tcp://127.0.0.1:99999"],
        ["printer", "--listen", "tcp://127.0.0.1:0", "--link", "/tmp/x"],
        ["printer", "--pty", "--listen", "tcp://127.0.0.1:0"],
        ["printer", "--control", "http://example.org:80"],
        ["id-card", "--card", "nobody"],
        ["id-card", "--read-delay", "-1"],
        ["ctl", "status"],
        ["ctl", "--control", "nonsense", "status"],
        ["ctl", "--control", "tcp://127.0.0.1:9", "status", "novalue"],
        ["ctl", "--control", "tcp://127.0.0.1:9", "latency", "seconds:=soon"],
        ["ctl", "--control", "tcp://127.0.0.1:9", "--device", "fax", "status"],
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: list[str]) -> None:
    result = _run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("kiosk-devsim: ")


def test_link_over_a_regular_file_is_refused(tmp_path: Path) -> None:
    occupied = tmp_path / "printer"
    occupied.write_text("keep me")
    result = _run("printer", "--pty", "--link", str(occupied))
    assert result.returncode == 2
    assert occupied.read_text() == "keep me"
