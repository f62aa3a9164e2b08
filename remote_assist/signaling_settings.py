"""The relay's timings and limits (heartbeat, message size and rate, routing limits), checked where made."""

from __future__ import annotations

from dataclasses import dataclass, field

from remote_assist import protocol
from remote_assist.routing import RoutingLimits
from remote_assist.turn import IceConfig


@dataclass(frozen=True)
class SignalingSettings:
    heartbeat_interval_s: float = 1.5
    heartbeat_timeout_s: float = 4.0  # plus one tick: a vanished peer is noticed within 5 s
    # A kiosk with no call has nobody waiting to learn that it vanished: ping it rarely, so that
    # a node holding a thousand idle kiosk sockets spends its time routing calls.
    idle_heartbeat_interval_s: float = 15.0
    idle_heartbeat_timeout_s: float = 40.0
    max_message_bytes: int = protocol.MAX_MESSAGE_BYTES
    rate_per_s: float = 20.0
    rate_burst: int = 60
    send_timeout_s: float = 3.0
    # A socket opened without ?token= must send {"type": "auth", "token"} first, within this time.
    auth_timeout_s: float = 5.0
    staff_roles: tuple[str, ...] = ("agent", "admin")
    ice: IceConfig = field(default_factory=IceConfig)
    limits: RoutingLimits = field(default_factory=RoutingLimits)

    def __post_init__(self) -> None:
        if not 0 < self.heartbeat_interval_s < self.heartbeat_timeout_s:
            raise ValueError("heartbeat interval must be positive and shorter than the timeout")
        if not self.heartbeat_interval_s <= self.idle_heartbeat_interval_s < self.idle_heartbeat_timeout_s:
            raise ValueError(
                "the idle heartbeat must be no faster than the call heartbeat, and shorter than its timeout"
            )
        if self.max_message_bytes < 1024 or self.rate_per_s <= 0 or self.rate_burst < 1:
            raise ValueError("message size and rate limits must be positive")

    @property
    def tick_s(self) -> float:
        """How often the ticker sends pings and looks for silent sockets."""
        return min(0.5, self.heartbeat_interval_s / 3)

    @property
    def vanish_bound_s(self) -> float:
        """The longest a vanished peer can go unnoticed: the silence limit plus one tick."""
        return self.heartbeat_timeout_s + self.tick_s
