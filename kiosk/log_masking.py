"""Masking of ID numbers that reach the log in free text (exception messages, library output)."""

from __future__ import annotations

import logging
import re

from citizen_id.masking import mask_id_number

# 18-character resident ID numbers (17 digits + digit or X) and old 15-digit ones.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def mask_text(text: str) -> str:
    """Mask ID numbers that slip into free text (exception messages) before it is logged."""
    return _ID_NUMBER.sub(lambda match: mask_id_number(match.group(0)), text)


class MaskingFilter(logging.Filter):
    """Masks ID numbers in every record's final message; names are masked where they are logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True
