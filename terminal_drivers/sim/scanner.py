"""Simulated serial QR/barcode scanner: ``scan`` control commands become bytes on the line.

In trigger mode (GM65 "command" mode) a scan waits until the host sends the trigger command;
the scanner acknowledges every trigger and then sends the next scan, once.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import Any

from citizen_id.masking import mask_payload
from terminal_drivers.scanner.framing import SUFFIXES, TRIGGER_ACK, TRIGGER_COMMAND
from terminal_drivers.sim.engine import SimControlError

log = logging.getLogger(__name__)

MAX_PAYLOAD = 8192
# Time between two queued scans on the line: a person cannot present codes faster, and a host
# that frames by idle gap needs the silence.
SCAN_SPACING_S = 0.2


class ScannerEngine:
    kind = "scanner"

    def __init__(self, *, terminator: str = "cr", trigger: bool = False) -> None:
        if terminator not in SUFFIXES:
            raise ValueError(f"terminator must be one of {', '.join(SUFFIXES)}")
        self.terminator = terminator
        self.trigger_mode = trigger
        self.armed = False
        self.triggers = 0
        self.scans_sent = 0
        self._queue: deque[bytes] = deque()
        self._inbound = bytearray()
        self._next_at = 0.0

    # -- DeviceEngine -----------------------------------------------------------------------

    def receive(self, data: bytes) -> bytes:
        self._inbound += data
        reply = bytearray()
        while True:
            at = self._inbound.find(TRIGGER_COMMAND)
            if at < 0:
                break
            del self._inbound[: at + len(TRIGGER_COMMAND)]
            self.triggers += 1
            self.armed = True
            reply += TRIGGER_ACK
        # Other bytes (settings commands we do not model) are ignored; keep only a possible
        # start of the trigger command.
        keep = len(TRIGGER_COMMAND) - 1
        if len(self._inbound) > keep:
            del self._inbound[:-keep]
        return bytes(reply)

    def poll_output(self) -> bytes:
        if not self._queue or (self.trigger_mode and not self.armed):
            return b""
        now = time.monotonic()
        if now < self._next_at:
            return b""
        self._next_at = now + SCAN_SPACING_S
        self.armed = False
        self.scans_sent += 1
        return self._queue.popleft()

    def control(self, command: str, args: dict[str, Any]) -> dict[str, Any]:
        if command == "scan":
            payload = _payload(args)
            terminator = args.get("terminator", self.terminator)
            if terminator not in SUFFIXES:
                raise SimControlError("bad_argument", f"terminator must be one of {', '.join(SUFFIXES)}")
            self._queue.append(payload + SUFFIXES[terminator])
            log.info("scan queued: %s", mask_payload(payload))
        elif command == "trigger_mode":
            self.trigger_mode = bool(args.get("enabled", True))
            self.armed = False
        elif command == "set_terminator":
            terminator = args.get("terminator")
            if terminator not in SUFFIXES:
                raise SimControlError("bad_argument", f"terminator must be one of {', '.join(SUFFIXES)}")
            self.terminator = terminator
        elif command == "clear":
            self._queue.clear()
        elif command != "status":
            raise SimControlError("unknown_command", f"the scanner has no command {command!r}")
        return self.status()

    def status(self) -> dict[str, Any]:
        return {
            "terminator": self.terminator,
            "trigger_mode": self.trigger_mode,
            "armed": self.armed,
            "queued": len(self._queue),
            "triggers": self.triggers,
            "scans_sent": self.scans_sent,
        }


def _payload(args: dict[str, Any]) -> bytes:
    data, hex_data = args.get("data"), args.get("hex")
    if (data is None) == (hex_data is None):
        raise SimControlError("bad_argument", "scan needs exactly one of data (text) or hex")
    if data is not None:
        if not isinstance(data, str):
            raise SimControlError("bad_argument", "data must be text")
        payload = data.encode("utf-8")
    else:
        try:
            payload = bytes.fromhex(str(hex_data))
        except ValueError:
            raise SimControlError("bad_argument", "hex must be pairs of hexadecimal digits") from None
    if not payload:
        raise SimControlError("bad_argument", "an empty scan is not a scan")
    if len(payload) > MAX_PAYLOAD:
        raise SimControlError("bad_argument", f"a scan holds at most {MAX_PAYLOAD} bytes")
    return payload
