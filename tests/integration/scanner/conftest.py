"""A simulated scanner served over a pty (with a stable link) or over socket://."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from terminal_drivers.sim.runner import DeviceServer
from terminal_drivers.sim.scanner import ScannerEngine


@dataclass
class ScannerSim:
    server: DeviceServer
    engine: ScannerEngine
    url: str

    def scan(self, **args: str) -> None:
        self.server.control("scan", dict(args))


@pytest.fixture(params=["pty", "tcp"])
def scanner_sim(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ScannerSim]:
    engine = ScannerEngine()
    with DeviceServer(engine, baudrate=9600) as server:
        if request.param == "pty":
            url = server.start_pty(link=str(tmp_path / "scanner"))
        else:
            url = server.start_tcp()
        yield ScannerSim(server, engine, url)
