"""What the hall counts of each visit (``POST /kiosks/visits``): that it started, the function the citizen
chose first, and whether it reached its end (a ticket, a booking, a print). Nothing personal is sent."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# Screen -> the function the managers' kiosk figures count it under (hall_contract.KioskVisitBody).
FUNCTIONS = {
    "booking": "booking",
    "my_bookings": "my_bookings",
    "ticket": "ticket",
    "records": "records",
    "guides": "guides",
    "video_help": "assist",
    "video_call": "assist",
}


class VisitLog:
    """Follows one visit at a time; ``send(body)`` hands a visit event to the hall and never blocks.

    A visit counts from the first function screen the citizen opens: a visit that never leaves the
    home screen chose nothing, and the hall is not told of it."""

    def __init__(self, send: Callable[[dict[str, Any]], None]) -> None:
        self._send = send
        self.visit_id: str | None = None
        self.function: str | None = None
        self.completed = False

    def screen_shown(self, name: str) -> None:
        function = FUNCTIONS.get(name)
        if function is None or self.function is not None:
            return
        self.visit_id = secrets.token_urlsafe(12)
        self.function = function
        self._send({"visit_id": self.visit_id, "event": "started", "function": function})

    def transaction_done(self) -> None:
        """The citizen reached what they came for (the flow asks for a review)."""
        self.completed = True

    def ended(self) -> None:
        if self.function is not None and self.visit_id is not None:
            self._send({"visit_id": self.visit_id, "event": "ended", "function": self.function,
                        "completed": self.completed})
        self.visit_id = self.function = None
        self.completed = False
