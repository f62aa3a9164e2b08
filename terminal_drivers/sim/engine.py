"""What every simulated device is: a pure byte engine the simulator runner serves.

The runner (pty or loopback TCP, fault injection at the wire: latency, drop, garble, unplug)
feeds the host's bytes to ``receive`` and writes back what it returns; ``poll_output`` gives
unsolicited bytes (a scan); ``control`` is the technician's and the tests' handle. An engine may
also define ``reply_delay() -> float``: the runner then holds the reply ``receive`` just returned
that many seconds (a card read's realistic second) without blocking other traffic or control.
"""

from __future__ import annotations

from typing import Any, Protocol


class SimControlError(Exception):
    """A control command the engine does not know, or with bad arguments."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class DeviceEngine(Protocol):
    kind: str

    def receive(self, data: bytes) -> bytes:
        """Take bytes from the host; return the bytes the device answers now (maybe b"")."""
        ...

    def poll_output(self) -> bytes:
        """Unsolicited bytes the device has to send (b"" when none)."""
        ...

    def control(self, command: str, args: dict[str, Any]) -> dict[str, Any]:
        """Run a control command (place_card, scan, paper_out, …); raise SimControlError."""
        ...
