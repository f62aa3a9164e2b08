"""A tiny echo device for exercising the simulator runner and the async port without a real engine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from terminal_drivers.sim.engine import SimControlError
from terminal_drivers.sim.runner import DeviceServer


class EchoEngine:
    """Answers every chunk upper-cased; ``say {data}`` queues unsolicited bytes (like a scan)."""

    kind = "echo"

    def __init__(self, delay_s: float = 0.0) -> None:
        self.received: list[bytes] = []
        self.unsolicited = b""
        self.delay_s = delay_s
        # When set, only replies to chunks starting with it are delayed.
        self.slow_prefix: bytes | None = None

    def receive(self, data: bytes) -> bytes:
        self.received.append(data)
        if data == b"crash":
            raise RuntimeError("simulated engine bug")
        return data.upper()

    def poll_output(self) -> bytes:
        out, self.unsolicited = self.unsolicited, b""
        return out

    def reply_delay(self) -> float:
        if self.slow_prefix is not None and not self.received[-1].startswith(self.slow_prefix):
            return 0.0
        return self.delay_s

    def control(self, command: str, args: dict[str, Any]) -> dict[str, Any]:
        if command == "say":
            self.unsolicited += str(args["data"]).encode()
            return {"queued": len(self.unsolicited)}
        if command == "received":
            return {"bytes": b"".join(self.received).decode("latin-1")}
        raise SimControlError("unknown_command", f"echo does not know {command!r}")


@pytest.fixture
def echo() -> EchoEngine:
    return EchoEngine()


@pytest.fixture
def server(echo: EchoEngine) -> Iterator[DeviceServer]:
    with DeviceServer(echo, seed=7) as srv:
        yield srv
