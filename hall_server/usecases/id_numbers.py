"""ID numbers as requests give them: checked (citizen_id) and refused with the reason when not valid."""

from __future__ import annotations

from datetime import date

from citizen_id.id_number import IdNumberError, parse_id_number
from hall_server.usecases.refusal import Refusal


def valid_id_number(text: str, today: date) -> str:
    """The normalised ID number; Refusal ``invalid_id_number`` with ``details.reason``."""
    try:
        return parse_id_number(text, today=today).value
    except IdNumberError as exc:
        raise Refusal(
            "invalid_id_number", "the ID number is not valid", details={"reason": exc.detail}
        ) from exc
