"""Video help: ``GET /assist/status`` (whether agents are on duty and how many callers wait)."""

from __future__ import annotations

import datetime as dt

from hall_contract.base import Answer


class AssistStatus(Answer):
    staffed_now: bool = False
    agents_online: int = 0
    callers_waiting: int = 0
    next_open: dt.datetime | None = None
