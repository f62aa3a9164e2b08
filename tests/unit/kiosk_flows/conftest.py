"""A scripted hall on loopback and a HallClient that talks to it, for the kiosk client's unit tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.hall_client import HallClient
from tests.unit.kiosk_flows.test_flows_hall_client import ScriptedServer


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer()
    yield srv
    srv.close()


@pytest.fixture
def client(server: ScriptedServer) -> Iterator[HallClient]:
    with HallClient(server.url, "tok", timeout=2, retries=2, backoff_s=0, sleep=lambda s: None) as c:
        yield c
