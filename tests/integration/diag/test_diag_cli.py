"""``kiosk-diag`` as a subprocess against the real simulators on ptys: probe, status, print, read, scan."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from terminal_drivers.sim.id_card import IdCardEngine
from terminal_drivers.sim.printer import PrinterEngine
from terminal_drivers.sim.runner import DeviceServer
from terminal_drivers.sim.scanner import ScannerEngine
from terminal_drivers.sim.test_cards import DEFAULT_CARD, card

DIAG = str(Path(sys.executable).with_name("kiosk-diag"))


def _diag(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DIAG, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[tuple[DeviceServer, PrinterEngine, str]]:
    engine = PrinterEngine(out_dir=tmp_path / "tickets")
    with DeviceServer(engine) as server:
        yield server, engine, server.start_pty(link=str(tmp_path / "printer"))


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[tuple[DeviceServer, str]]:
    with DeviceServer(IdCardEngine(read_delay_s=0.0)) as server:
        yield server, server.start_pty(link=str(tmp_path / "id_card"))


@pytest.fixture
def scanner(tmp_path: Path) -> Iterator[tuple[DeviceServer, str]]:
    with DeviceServer(ScannerEngine(), baudrate=9600) as server:
        yield server, server.start_pty(link=str(tmp_path / "scanner"))


def test_probe_tells_the_devices_apart(
    printer: tuple[DeviceServer, PrinterEngine, str], reader: tuple[DeviceServer, str],
    scanner: tuple[DeviceServer, str],
) -> None:
    answers = {}
    for path in (printer[2], reader[1], scanner[1]):
        result = _diag("probe", "--port", path, "--json")
        assert result.returncode == 0, result.stderr
        answers[Path(path).name] = json.loads(result.stdout)["device"]
    assert answers == {"printer": "printer", "id_card": "id_card", "scanner": "unknown"}


def test_printer_status_follows_the_simulator(printer: tuple[DeviceServer, PrinterEngine, str]) -> None:
    server, _, path = printer
    ok = json.loads(_diag("status", "--port", path, "--json").stdout)
    assert ok["device"] == "printer" and ok["status"]["paper"] == "ok"
    server.control("paper_near_end", {})
    near = json.loads(_diag("status", "--port", path, "--json").stdout)
    assert near["status"]["paper"] == "near_end"
    assert near["health"] == {"state": "degraded", "reason": "paper_near_end"}
    text = _diag("status", "--port", path)
    assert "status.paper: near_end" in text.stdout.splitlines()


def test_test_print_lands_in_the_simulator(printer: tuple[DeviceServer, PrinterEngine, str]) -> None:
    server, engine, path = printer
    result = _diag("test-print", "--port", path, "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["printed"] is True and answer["bytes"] > 0
    assert len(engine.tickets) == 1
    server.control("paper_out", {})
    refused = _diag("test-print", "--port", path)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [refused.stderr.strip()]
    assert "paper_out" in refused.stderr
    assert len(engine.tickets) == 1


def test_read_card_masks_unless_asked(reader: tuple[DeviceServer, str]) -> None:
    server, path = reader
    person = card(DEFAULT_CARD)
    server.control("place_card", {"name": DEFAULT_CARD})
    masked = _diag("read-card", "--port", path, "--json")
    assert masked.returncode == 0, masked.stderr
    fields = json.loads(masked.stdout)["card"]
    assert fields["id_number"] == person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    assert fields["name"] != person.name and fields["name"][0] == person.name[0]
    assert person.id_number not in masked.stdout + masked.stderr
    assert person.name not in masked.stdout + masked.stderr
    # A read card must be lifted and placed again before it reads again.
    again = _diag("read-card", "--port", path, "--json")
    assert again.returncode == 1
    assert json.loads(again.stdout)["error"]["code"] == "no_card"
    server.control("lift_card", {})
    server.control("place_card", {"name": DEFAULT_CARD})
    full = _diag("read-card", "--port", path, "--unmasked")
    assert full.returncode == 0
    assert f"id_number: {person.id_number}" in full.stdout.splitlines()
    assert f"name: {person.name}" in full.stdout.splitlines()


def test_read_card_reports_reader_faults(reader: tuple[DeviceServer, str]) -> None:
    server, path = reader
    server.control("place_card", {"name": DEFAULT_CARD})
    server.control("fault", {"kind": "read_failed"})
    result = _diag("read-card", "--port", path)
    assert result.returncode == 1
    assert result.stderr.startswith("kiosk-diag: card_read_failed")
    assert "Traceback" not in result.stderr


def test_scan_waits_for_one_scan_and_masks_it(scanner: tuple[DeviceServer, str]) -> None:
    server, path = scanner
    payload = "BK-20261123-0042-SECRET"
    proc = subprocess.Popen(
        [DIAG, "scan", "--port", path, "--json", "--timeout", "30"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        # The scanner sends only once a scan is presented; present it until the tool has it.
        for _ in range(300):
            server.control("scan", {"data": payload})
            try:
                out, err = proc.communicate(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                continue
        else:
            raise AssertionError("kiosk-diag scan never finished")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    answer = json.loads(out)
    assert answer["length"] == len(payload) and answer["masked"] is True
    assert "SECRET" not in out


def test_scan_timeout_is_a_failed_check(scanner: tuple[DeviceServer, str]) -> None:
    result = _diag("scan", "--port", scanner[1], "--timeout", "0.3")
    assert result.returncode == 1
    assert "scan_timeout" in result.stderr


def test_status_of_something_silent_says_so(scanner: tuple[DeviceServer, str]) -> None:
    result = _diag("status", "--port", scanner[1])
    assert result.returncode == 1 and "device_unknown" in result.stderr
    named = _diag("status", "--port", scanner[1], "--device", "scanner", "--json")
    assert named.returncode == 0
    assert json.loads(named.stdout)["health"]["state"] == "ok"


def test_missing_and_busy_ports_exit_2(
    tmp_path: Path, printer: tuple[DeviceServer, PrinterEngine, str]
) -> None:
    for command in ("probe", "status", "test-print", "read-card", "scan"):
        result = _diag(command, "--port", str(tmp_path / "ttyUSB7"))
        assert result.returncode == 2, command
        assert result.stderr.startswith("kiosk-diag: device_not_found")
        assert len(result.stderr.strip().splitlines()) == 1
    from terminal_drivers.transport import open_port

    held = open_port(printer[2])
    try:
        busy = _diag("status", "--port", printer[2])
    finally:
        held.close()
    assert busy.returncode == 2
    assert busy.stderr.startswith("kiosk-diag: device_busy")


def test_unplugged_printer_is_a_missing_port(printer: tuple[DeviceServer, PrinterEngine, str]) -> None:
    server, _, path = printer
    server.control("unplug", {})
    assert _diag("status", "--port", path).returncode == 2
    server.control("replug", {})
    assert _diag("status", "--port", path).returncode == 0


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["status"],
        ["status", "--port", "/dev/null", "--baud", "fast"],
        ["read-card", "--port", "/dev/null", "--timeout", "-1"],
        ["test-print", "--port", "/dev/null", "--paper-width", "500"],
        ["launch"],
    ],
)
def test_bad_arguments_exit_2(args: list[str]) -> None:
    result = _diag(*args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_ports_lists_as_json() -> None:
    result = _diag("ports", "--json")
    assert result.returncode == 0
    ports = json.loads(result.stdout)["ports"]
    assert all(set(p) == {"device", "description", "hwid"} for p in ports)
