"""Faults a simulator injects on the wire: latency, dropped bytes, garbled bits, silence.

Pure state plus a seeded random source, so a test that sets the same faults and sends the same
bytes sees the same damage every run. Unplug and replug live in the runner (they close fds).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from terminal_drivers.sim.engine import SimControlError

DIRECTIONS = ("both", "to_device", "to_host")
MAX_LATENCY_S = 60.0


@dataclass
class WireFaults:
    latency_s: float = 0.0
    drop_probability: float = 0.0
    drop_direction: str = "both"
    garble_probability: float = 0.0
    silent: bool = False
    seed: int = 0
    rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def apply(self, command: str, args: dict[str, Any]) -> dict[str, Any] | None:
        """Run a wire-fault command; None when ``command`` is not one of them."""
        if command == "latency":
            self.latency_s = _number(args, "seconds", 0.0, MAX_LATENCY_S)
        elif command == "drop":
            probability = _number(args, "probability", 0.0, 1.0)
            direction = args.get("direction", "both")
            if direction not in DIRECTIONS:
                raise SimControlError("bad_argument", f"direction must be one of {', '.join(DIRECTIONS)}")
            # Both checked before either is set: a refused command changes nothing.
            self.drop_probability, self.drop_direction = probability, direction
        elif command == "garble":
            self.garble_probability = _number(args, "probability", 0.0, 1.0)
        elif command == "silence":
            self.silent = True
        elif command == "clear_faults":
            self.latency_s = self.drop_probability = self.garble_probability = 0.0
            self.drop_direction = "both"
            self.silent = False
        else:
            return None
        return {"faults": self.as_json()}

    def as_json(self) -> dict[str, Any]:
        return {
            "latency_s": self.latency_s,
            "drop_probability": self.drop_probability,
            "drop_direction": self.drop_direction,
            "garble_probability": self.garble_probability,
            "silent": self.silent,
        }

    def inbound(self, data: bytes) -> bytes:
        """What of the host's bytes reaches the device."""
        if self.silent:
            return b""
        if self.drop_direction in ("both", "to_device"):
            data = self._drop(data)
        return data

    def outbound(self, data: bytes) -> bytes:
        """What of the device's bytes reaches the host."""
        if self.silent:
            return b""
        if self.drop_direction in ("both", "to_host"):
            data = self._drop(data)
        if self.garble_probability > 0 and data:
            out = bytearray(data)
            for i in range(len(out)):
                if self.rng.random() < self.garble_probability:
                    out[i] ^= 1 << self.rng.randrange(8)
            data = bytes(out)
        return data

    def _drop(self, data: bytes) -> bytes:
        p = self.drop_probability
        if p <= 0 or not data:
            return data
        return bytes(b for b in data if self.rng.random() >= p)


def _number(args: dict[str, Any], key: str, low: float, high: float) -> float:
    value = args.get(key)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise SimControlError("bad_argument", f"{key} must be a number") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SimControlError("bad_argument", f"{key} must be a number between {low:g} and {high:g}")
    if not low <= float(value) <= high:
        raise SimControlError("bad_argument", f"{key} must be between {low:g} and {high:g}")
    return float(value)
