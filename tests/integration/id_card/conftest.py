"""A simulated ID reader served over a pty (with a stable link) or over socket://."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from terminal_drivers.sim.id_card import IdCardEngine
from terminal_drivers.sim.runner import DeviceServer


@dataclass
class ReaderSim:
    server: DeviceServer
    engine: IdCardEngine
    url: str

    def place(self, name: str) -> None:
        self.server.control("place_card", {"name": name})

    def lift(self) -> None:
        self.server.control("lift_card", {})

    def fault(self, kind: str) -> None:
        self.server.control("fault", {"kind": kind})


@pytest.fixture(params=["pty", "tcp"])
def reader_sim(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReaderSim]:
    engine = IdCardEngine(read_delay_s=0.0)
    with DeviceServer(engine) as server:
        if request.param == "pty":
            url = server.start_pty(link=str(tmp_path / "id_card"))
        else:
            url = server.start_tcp()
        yield ReaderSim(server, engine, url)
