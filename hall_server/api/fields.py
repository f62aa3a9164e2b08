"""Field types shared by requests: text without control characters (declared by the contract), site codes."""

from __future__ import annotations

from hall_contract.base import Text

__all__ = ["SITE_PATTERN", "Text"]

SITE_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
