"""The simulated scanner's engine on its own: scans, terminators, trigger mode, bad controls."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terminal_drivers.scanner.framing import TRIGGER_ACK, TRIGGER_COMMAND
from terminal_drivers.sim import scanner as scanner_sim
from terminal_drivers.sim.engine import SimControlError
from terminal_drivers.sim.scanner import ScannerEngine


@pytest.fixture(autouse=True)
def no_spacing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scanner_sim, "SCAN_SPACING_S", 0.0)


def test_scanner_engine_sends_scans_with_terminators() -> None:
    engine = ScannerEngine()
    assert engine.poll_output() == b""
    engine.control("scan", {"data": "ABC"})
    engine.control("scan", {"data": "预约", "terminator": "crlf"})
    engine.control("scan", {"hex": "00FF", "terminator": "none"})
    assert engine.poll_output() == b"ABC\r"
    assert engine.poll_output() == "预约".encode() + b"\r\n"
    assert engine.poll_output() == b"\x00\xff"
    assert engine.poll_output() == b""


def test_scanner_engine_spaces_scans_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scanner_sim, "SCAN_SPACING_S", 3600.0)
    engine = ScannerEngine()
    engine.control("scan", {"data": "A"})
    engine.control("scan", {"data": "B"})
    assert engine.poll_output() == b"A\r"
    assert engine.poll_output() == b""
    assert engine.status()["queued"] == 1


def test_scanner_engine_trigger_mode_waits_for_the_command() -> None:
    engine = ScannerEngine(trigger=True)
    engine.control("scan", {"data": "X1"})
    assert engine.poll_output() == b""
    # The command may arrive in pieces and among other bytes.
    assert engine.receive(b"\x01\x02" + TRIGGER_COMMAND[:4]) == b""
    assert engine.receive(TRIGGER_COMMAND[4:]) == TRIGGER_ACK
    assert engine.poll_output() == b"X1\r"
    engine.control("scan", {"data": "X2"})
    assert engine.poll_output() == b""  # one trigger, one scan
    assert engine.status()["triggers"] == 1


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"data": "A", "hex": "41"},
        {"hex": "4"},
        {"data": ""},
        {"data": 5},
        {"data": "A", "terminator": "tab"},
    ],
)
def test_scanner_engine_refuses_bad_scans(args: dict[str, object]) -> None:
    engine = ScannerEngine()
    with pytest.raises(SimControlError) as info:
        engine.control("scan", args)
    assert info.value.code == "bad_argument"
    assert engine.status()["queued"] == 0


def test_scanner_engine_unknown_command() -> None:
    with pytest.raises(SimControlError) as info:
        ScannerEngine().control("beep", {})
    assert info.value.code == "unknown_command"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=50), max_size=10))
def test_scanner_engine_ignores_noise_and_still_sees_the_trigger(chunks: list[bytes]) -> None:
    engine = ScannerEngine(trigger=True)
    for chunk in chunks:
        reply = engine.receive(chunk)
        assert reply in (b"", TRIGGER_ACK * (len(reply) // len(TRIGGER_ACK)))
    assert engine.receive(TRIGGER_COMMAND) == TRIGGER_ACK
