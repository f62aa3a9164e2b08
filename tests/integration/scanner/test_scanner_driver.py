"""The real scanner driver against the simulated scanner, over a pty and over socket://."""

from __future__ import annotations

import asyncio
import logging

import pytest

from terminal_drivers.errors import DeviceError, DeviceTimeout
from terminal_drivers.scanner.scanner import Scanner

from .conftest import ScannerSim

# Guards against a hang only; nothing here asserts on time.
GUARD_S = 10.0


async def health_becomes(scanner: Scanner, state: str) -> None:
    """Wait (guarded against a hang) until the driver reports ``state``."""
    reached = asyncio.Event()
    scanner.add_health_listener(lambda health: reached.set() if health.state == state else None)
    if scanner.health.state != state:
        await asyncio.wait_for(reached.wait(), GUARD_S)


def scanner_for(sim: ScannerSim, **kwargs: object) -> Scanner:
    options: dict[str, object] = {"reconnect_interval": 0.0}
    options.update(kwargs)
    return Scanner(sim.url, 9600, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("terminator", ["cr", "lf", "crlf"])
async def test_scanner_reads_scans_with_each_terminator(scanner_sim: ScannerSim, terminator: str) -> None:
    async with scanner_for(scanner_sim) as scanner:
        assert scanner.health.state == "ok"
        scanner_sim.scan(data="BK:20261123:000042", terminator=terminator)
        scanner_sim.scan(data="电子证照", terminator=terminator)
        assert await scanner.read_scan(GUARD_S) == b"BK:20261123:000042"
        assert await scanner.read_scan(GUARD_S) == "电子证照".encode()


async def test_scanner_idle_gap_ends_a_scan_without_terminator(scanner_sim: ScannerSim) -> None:
    async with scanner_for(scanner_sim, terminator="none", idle_gap_s=0.05) as scanner:
        scanner_sim.scan(hex="00 0D 0A FF 41", terminator="none")
        # CR and LF inside a binary payload stay payload when only the idle gap frames.
        assert await scanner.read_scan(GUARD_S) == b"\x00\r\n\xffA"


async def test_scanner_no_scan_is_a_timeout_not_a_fault(scanner_sim: ScannerSim) -> None:
    async with scanner_for(scanner_sim) as scanner:
        with pytest.raises(DeviceTimeout) as info:
            await scanner.read_scan(0.1)
        assert info.value.code == "scan_timeout"
        assert scanner.health.state == "ok"


async def test_scanner_scans_iterator(scanner_sim: ScannerSim) -> None:
    async with scanner_for(scanner_sim) as scanner:
        stream = scanner.scans()
        for code in ("A1", "B2", "C3"):
            scanner_sim.scan(data=code)
        got = [await asyncio.wait_for(anext(stream), GUARD_S) for _ in range(3)]
        assert got == [b"A1", b"B2", b"C3"]
        await stream.aclose()  # type: ignore[attr-defined]


async def test_scanner_too_long_scan_is_dropped(scanner_sim: ScannerSim) -> None:
    async with scanner_for(scanner_sim, max_length=16) as scanner:
        scanner_sim.scan(data="X" * 40)
        scanner_sim.scan(data="SHORT")
        assert await scanner.read_scan(GUARD_S) == b"SHORT"
        assert scanner.dropped == 1


async def test_scanner_trigger_mode(scanner_sim: ScannerSim) -> None:
    scanner_sim.server.control("trigger_mode", {"enabled": True})
    scanner_sim.scan(data="TRIGGERED")
    async with scanner_for(scanner_sim, trigger=True) as scanner:
        assert await scanner.read_scan(GUARD_S) == b"TRIGGERED"
        assert scanner_sim.engine.triggers == 1
        assert scanner.health.state == "ok"
        # Nothing to scan: the trigger is acknowledged, the read times out, health stays ok.
        with pytest.raises(DeviceTimeout):
            await scanner.read_scan(0.2)
        assert scanner.health.state == "ok"


async def test_scanner_trigger_without_acknowledgement_degrades(scanner_sim: ScannerSim) -> None:
    async with scanner_for(scanner_sim, trigger=True) as scanner:
        scanner_sim.server.control("silence", {})
        with pytest.raises(DeviceTimeout):
            await scanner.read_scan(0.6)
        assert scanner.health.state == "degraded"
        assert scanner.health.reason == "trigger_not_acknowledged"
        scanner_sim.server.control("clear_faults", {})
        with pytest.raises(DeviceTimeout):
            await scanner.read_scan(0.6)
        assert scanner.health.state == "ok"


async def test_scanner_unplug_goes_offline_and_replug_comes_back(scanner_sim: ScannerSim) -> None:
    async with scanner_for(scanner_sim) as scanner:
        scanner_sim.server.control("unplug", {})
        with pytest.raises(DeviceError):
            await scanner.read_scan(GUARD_S)
        assert scanner.health.state == "offline"
        scanner_sim.server.control("replug", {})
        # A code scanned while no host is on the line is lost (as on a real cable): reconnect first.
        await scanner.diag()
        assert scanner.health.state == "ok"
        scanner_sim.scan(data="AFTER-REPLUG")
        assert await scanner.read_scan(GUARD_S) == b"AFTER-REPLUG"
        assert scanner.health.state == "ok"


async def test_scanner_scans_iterator_survives_an_unplug(scanner_sim: ScannerSim) -> None:
    async with scanner_for(scanner_sim, reconnect_interval=0.05) as scanner:
        stream = scanner.scans()
        scanner_sim.scan(data="ONE")
        assert await asyncio.wait_for(anext(stream), GUARD_S) == b"ONE"
        scanner_sim.server.control("unplug", {})
        pending = asyncio.ensure_future(anext(stream))
        await health_becomes(scanner, "offline")
        scanner_sim.server.control("replug", {})
        await health_becomes(scanner, "ok")  # the iterator reconnected by itself
        scanner_sim.scan(data="TWO")
        assert await asyncio.wait_for(pending, GUARD_S) == b"TWO"
        await stream.aclose()  # type: ignore[attr-defined]


async def test_scanner_payloads_are_masked_in_logs(
    scanner_sim: ScannerSim, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with scanner_for(scanner_sim) as scanner:
        scanner_sim.scan(data="440106198503121237")
        assert await scanner.read_scan(GUARD_S) == b"440106198503121237"
    assert "440106198503121237" not in caplog.text
    assert "4401…(18 chars)" in caplog.text


async def test_scanner_diag(scanner_sim: ScannerSim) -> None:
    async with scanner_for(scanner_sim, terminator="crlf") as scanner:
        diag = await scanner.diag()
    assert diag["terminator"] == "crlf" and diag["health"] == {"state": "ok", "reason": None}


async def test_scanner_close_ends_a_waiting_iterator(scanner_sim: ScannerSim) -> None:
    scanner = scanner_for(scanner_sim)
    await scanner.open()
    stream = scanner.scans()
    pending = asyncio.ensure_future(anext(stream))
    await health_becomes(scanner, "ok")
    await asyncio.wait_for(scanner.close(), GUARD_S)
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(pending, GUARD_S)
    assert scanner.health.reason == "device_closed"
