"""The turn notifier interface ("N people are ahead of you"), the demo adapter (a log line that names the
ticket number only) and the null adapter."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnNotice:
    """What a gateway needs to tell one citizen their turn is near. ``phone`` goes to the gateway only."""

    site: str
    ticket: str  # the printed number, e.g. "B005"
    people_ahead: int
    phone: str
    tracking_url: str


class TurnNotifier(Protocol):
    """Sends one notice. A gateway adapter should queue the message and return at once: it is called
    from the hall's floor watcher, which must not wait on a slow gateway."""

    @property
    def available(self) -> bool: ...

    def notify(self, notice: TurnNotice) -> None: ...


class NullNotifier:
    """No gateway configured: nobody is notified, and no notice is recorded as sent."""

    available = False

    def notify(self, notice: TurnNotice) -> None:
        return None


class DemoNotifier:
    """Logs that a notice went out, with the ticket number and site only: never the phone."""

    available = True

    def __init__(self) -> None:
        self.sent: list[str] = []

    def notify(self, notice: TurnNotice) -> None:
        self.sent.append(notice.ticket)
        log.info("turn notice: ticket %s at %s has %d ahead; sent to the phone on file",
                 notice.ticket, notice.site, notice.people_ahead)


def notifier_for(adapter: str) -> TurnNotifier:
    return DemoNotifier() if adapter == "demo" else NullNotifier()
