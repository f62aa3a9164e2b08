"""What the relay needs from the hall: token look-ups, staffed hours, wait limits, the call recorder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from remote_assist.call_ledger import CallRecorder


class KioskLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def site(self) -> str: ...


class StaffLike(Protocol):
    @property
    def username(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def display_name(self) -> str: ...


@dataclass(frozen=True)
class AssistDirectory:
    """What the relay needs from the hall, as plain callables (sync; run off the event loop)."""

    kiosk_for_token: Callable[[str], KioskLike | None]
    staff_for_token: Callable[[str], StaffLike | None]
    site_staffed: Callable[[str, datetime], tuple[bool, datetime | None]]
    now: Callable[[], datetime]
    # The site's own wait limit for callers (None: the node's default, RoutingLimits.wait_limit_s).
    wait_limit_for: Callable[[str], float | None] = lambda _site: None
    # Each call's transitions, for the hall's statistics (CallLedger).
    record_call: CallRecorder = lambda _kind, _site, _at, _dims: None
