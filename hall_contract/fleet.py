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


class KioskVisitBody(Body):
    """One citizen's visit at a kiosk, told when it starts and when it ends (no personal data)."""

    visit_id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,40}$")
    event: Literal["started", "ended"]
    function: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")  # e.g. ticket, booking, records, assist
    completed: bool | None = None  # on "ended": whether the visit reached its end (a ticket, a print)


class KioskVisitReply(Answer):
    ok: bool = True
