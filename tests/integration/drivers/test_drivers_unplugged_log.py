"""A device that is not there is told once in the kiosk's journal, and again only when that changes: the
polling loops ran every 0.3 s and wrote a line at each poll (seen on a kiosk installed without its reader)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

import pytest

from terminal_drivers.id_card.reader import IdCardReader
from terminal_drivers.scanner.scanner import Scanner
from terminal_drivers.sim.id_card import IdCardEngine
from terminal_drivers.sim.runner import DeviceServer

# Long enough for several reconnect attempts (0.2 s apart) and many polls (0.05 s apart).
WATCHED_S = 1.5


def lines(caplog: pytest.LogCaptureFixture, device: Path) -> list[str]:
    return [r.getMessage() for r in caplog.records if str(device) in r.getMessage()]


async def test_an_absent_reader_is_logged_once_then_when_it_comes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    link = tmp_path / "reader"
    caplog.set_level(logging.INFO, logger="terminal_drivers")
    async with IdCardReader(str(link), timeout=1.0, reconnect_interval=0.2) as reader:
        watching = asyncio.ensure_future(anext(reader.watch(poll_interval=0.05)))
        await asyncio.sleep(WATCHED_S)
        assert lines(caplog, link) == [f"ID reader {link} not available: device_not_found"]
        with DeviceServer(IdCardEngine()) as server:
            server.start_pty(link=str(link))
            server.control("place_card", {"name": "zhang_wei"})
            await asyncio.wait_for(watching, 10.0)
    assert watching.result().card.name == "张伟"
    assert lines(caplog, link)[:2] == [f"ID reader {link} not available: device_not_found",
                                       f"ID reader {link} open"]


async def test_an_absent_scanner_is_logged_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    link = tmp_path / "scanner"
    caplog.set_level(logging.INFO, logger="terminal_drivers")
    async with Scanner(str(link), reconnect_interval=0.2) as scanner:
        scanning = asyncio.ensure_future(anext(scanner.scans()))
        await asyncio.sleep(WATCHED_S)
        scanning.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await scanning
    assert lines(caplog, link) == [f"scanner {link} not available: device_not_found"]
