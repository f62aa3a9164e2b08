"""The range of dates the hall plans for: beyond it arithmetic on instants would leave datetime's range."""

from __future__ import annotations

from datetime import date

from hall_server.usecases.refusal import Refusal

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def planning_date(day: date, what: str) -> date:
    """``day`` if the hall can plan it, else Refusal ``date_out_of_range``."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise Refusal("date_out_of_range", f"{what} must be between {FIRST_DAY} and {LAST_DAY}")
    return day
