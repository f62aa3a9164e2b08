"""What the kiosk's hall client raises: the hall's refusal with its stable code, or no hall at all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class HallError(Exception):
    """The hall server refused a call: ``code`` is its stable snake_case error code
    (hall_contract.refusals), or ``bad_response`` for an answer that breaks the contract."""

    def __init__(
        self,
        code: str,
        message: str = "",
        *,
        status: int | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.status = status
        self.details: dict[str, Any] = dict(details or {})


class HallUnreachable(HallError):
    """The hall server could not be reached (connection refused, timeout, 5xx after retries)."""

    def __init__(self, message: str = "") -> None:
        super().__init__("hall_unreachable", message)
