"""The simulated printer served on a pseudo-terminal or a loopback TCP port, closed after each test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from terminal_drivers.sim.printer import PrinterEngine
from terminal_drivers.sim.runner import DeviceServer


@dataclass
class SimPrinter:
    engine: PrinterEngine
    server: DeviceServer
    url: str


@pytest.fixture(params=["pty", "tcp"])
def sim_printer(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SimPrinter]:
    engine = PrinterEngine(out_dir=tmp_path / "tickets")
    with DeviceServer(engine, seed=3) as server:
        # The pty is reached through a stable link, as udev gives a USB printer: it follows re-plugs.
        url = (
            server.start_pty(link=str(tmp_path / "printer")) if request.param == "pty" else server.start_tcp()
        )
        yield SimPrinter(engine, server, url)
