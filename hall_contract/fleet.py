"""Kiosk heartbeats: the body of ``POST /kiosks/heartbeat`` and its answer (the hall's clock)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from hall_contract.base import Answer, Body, Text


class DeviceState(Body):
    state: Literal["ok", "degraded", "offline"]
    reason: Text | None = Field(default=None, max_length=80)


class HeartbeatBody(Body):
    app_version: Text = Field(min_length=1, max_length=40)
    uptime_s: int = Field(ge=0, le=10**9)
    devices: dict[Text, DeviceState] = Field(default_factory=dict, max_length=16)
    screen: Text | None = Field(default=None, max_length=40)


class HeartbeatReply(Answer):
    ok: bool = True
    server_time: dt.datetime | None = None  # the hall's now, with the site's UTC offset
