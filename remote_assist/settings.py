"""Remote-assistance settings read from the environment, validated where they are made.

``HALL_ASSIST_ICE_URLS`` (comma-separated ``stun:``/``turn:`` URLs, none by default),
``HALL_ASSIST_TURN_SECRET``, ``HALL_ASSIST_TURN_TTL_S``, ``HALL_ASSIST_WAIT_LIMIT_S``,
``HALL_ASSIST_RING_TIMEOUT_S``, ``HALL_ASSIST_HEARTBEAT_TIMEOUT_S`` (how long a socket in a call, or an
agent's, may stay silent before it counts as gone: 4 s; longer for links that stall),
``HALL_ASSIST_RESUME_GRACE_S`` (how long a caller whose node went away keeps its place in line: 30 s;
past it the call counts as abandoned).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from remote_assist.routing import RoutingLimits
from remote_assist.signaling import SignalingSettings
from remote_assist.turn import IceConfig


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from exc


def signaling_settings_from_env(env: Mapping[str, str] | None = None) -> SignalingSettings:
    env = os.environ if env is None else env
    urls = tuple(u.strip() for u in env.get("HALL_ASSIST_ICE_URLS", "").split(",") if u.strip())
    ice = IceConfig(
        urls=urls,
        turn_secret=env.get("HALL_ASSIST_TURN_SECRET") or None,
        turn_ttl_s=int(_number(env, "HALL_ASSIST_TURN_TTL_S", 3600)),
    )
    limits = RoutingLimits(
        wait_limit_s=_number(env, "HALL_ASSIST_WAIT_LIMIT_S", 300),
        ring_timeout_s=_number(env, "HALL_ASSIST_RING_TIMEOUT_S", 30),
        resume_grace_s=_number(env, "HALL_ASSIST_RESUME_GRACE_S", 30),
    )
    heartbeat = _number(env, "HALL_ASSIST_HEARTBEAT_TIMEOUT_S", SignalingSettings.heartbeat_timeout_s)
    if heartbeat <= SignalingSettings.heartbeat_interval_s:
        raise ValueError(f"HALL_ASSIST_HEARTBEAT_TIMEOUT_S must be longer than the "
                         f"{SignalingSettings.heartbeat_interval_s} s between pings, not {heartbeat}")
    return SignalingSettings(ice=ice, limits=limits, heartbeat_timeout_s=heartbeat)
