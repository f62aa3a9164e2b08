"""Why a call ended, as a stable code, and a small ring of the last call ends for maintenance.

The reasons a call carries on the wire (the hall's ``ended {reason}``, the kiosk's own
``kiosk_…`` endings) stay as they are; ``end_code`` folds them into the few codes a technician reads.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

# Every code a call end is logged and shown with.
END_CODES = (
    "staff_hangup",  # the agent hung up
    "citizen_hangup",  # the citizen pressed hang up (or left the screen)
    "ice_failed",  # the media path failed (ICE / DTLS)
    "signaling_lost",  # the hall's socket went silent or closed
    "media_timeout",  # no picture and no sound arrived for a while
    "staff_lost",  # the agent's console went away
    "unavailable",  # no agent staffed, or the wait in line ran out
    "hall_unreachable",  # the call could not be placed
    "refused",  # the hall refused this kiosk (token, another socket)
    "error",  # anything else
)

_REASONS = {
    "staff_hangup": "staff_hangup",
    "kiosk_hangup": "citizen_hangup",
    "kiosk_ice_failed": "ice_failed",
    "kiosk_error": "ice_failed",
    "ice_failed": "ice_failed",
    "signaling_lost": "signaling_lost",
    "signaling_closed": "signaling_lost",
    "kiosk_signaling_lost": "signaling_lost",
    "kiosk_no_media": "media_timeout",
    "no_media": "media_timeout",
    "node_lost": "signaling_lost",
    "staff_left": "staff_lost",
    "staff_vanished": "staff_lost",
    "staff_gone": "staff_lost",
    "wait_limit": "unavailable",
    "outside_hours": "unavailable",
    "hall_unreachable": "hall_unreachable",
    "invalid_hall_url": "hall_unreachable",
    "unauthorized": "refused",
    "replaced": "refused",
}
_STAFF_GONE = re.compile(r"staff_[a-z_]+")


def end_code(reason: str | None) -> str:
    """The stable code for a reason from the hall or the kiosk's own ending."""
    if reason is None:
        return "error"
    if reason in _REASONS:
        return _REASONS[reason]
    if _STAFF_GONE.fullmatch(reason):
        return "staff_lost"
    return "error"


@dataclass(frozen=True)
class CallEnd:
    """One ended call as maintenance lists it (no personal data: the citizen is never named)."""

    ended_at: datetime
    code: str
    reason: str
    duration_s: float | None
    sent_step: str | None = None
    lowest_step: str | None = None

    def log_line(self) -> str:
        talked = "-" if self.duration_s is None else f"{self.duration_s:.0f}s"
        return (
            f"call ended code={self.code} reason={self.reason} after={talked} "
            f"sent={self.sent_step or '-'} lowest={self.lowest_step or '-'}"
        )


class CallEndLog:
    """The last ``size`` call ends, newest first."""

    def __init__(self, size: int = 5) -> None:
        self._ends: deque[CallEnd] = deque(maxlen=size)

    def add(self, end: CallEnd) -> None:
        self._ends.appendleft(end)

    def __iter__(self) -> Iterator[CallEnd]:
        return iter(list(self._ends))

    def __len__(self) -> int:
        return len(self._ends)
