"""The one error shape of the API: ``{"error": {"code", "message", "details"?, ...}}``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ErrorDetail(BaseModel):
    """``code`` is one of hall_contract.refusals; some errors carry fields beside the message
    (``queue_closed`` has ``next_open``, ``already_checked_in`` has ``ticket_id``)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    code: str
    message: str = ""
    details: Any = None


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    error: ErrorDetail
