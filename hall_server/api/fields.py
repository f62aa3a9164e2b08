"""Field types shared by requests: text without control characters (PostgreSQL refuses NUL), and the
range of dates the hall plans for."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


Text = Annotated[str, AfterValidator(_no_control_characters)]
SITE_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"

# Calendars, slots and bookings are planned within these dates; beyond them arithmetic on instants
# would leave the range of datetime.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def planning_date(day: date, what: str) -> date:
    """``day`` if the hall can plan it, else ApiError 422 ``date_out_of_range``."""
    from hall_server.api.errors import ApiError

    if not FIRST_DAY <= day <= LAST_DAY:
        raise ApiError(422, "date_out_of_range", f"{what} must be between {FIRST_DAY} and {LAST_DAY}")
    return day
