"""The idle rule on screen: ticks the idle timer, shows the countdown warning, ends the visit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk.idle import IdleTimer

log = logging.getLogger(__name__)

# Seconds between looks at the idle timer: the warning's countdown moves this often.
TICK_S = 0.25


class IdleWatch:
    """Turns the idle timer's answers into the warning overlay, and ``on_expired()`` at the end."""

    def __init__(self, timer: IdleTimer, on_expired: Callable[[], None]) -> None:
        self.timer = timer
        self.warning: Any = None
        self._on_expired = on_expired

    def on_touch(self, _window: Any, _touch: Any) -> bool:
        self.timer.touch()
        return False

    def tick(self, _dt: float) -> None:
        state = self.timer.state()
        if state == "active":
            self.dismiss()
        elif state == "warning":
            self._show()
        else:
            log.info("visit ended after %.0f s idle", self.timer.idle_for())
            self._on_expired()

    def more_time(self) -> None:
        self.timer.touch()
        self.dismiss()

    def dismiss(self) -> None:
        if self.warning is not None and self.warning.parent is not None:
            self.warning.dismiss(animation=False)

    def _show(self) -> None:
        from kiosk.ui.widgets.overlays import IdleWarning

        if self.warning is None:
            self.warning = IdleWarning()
            self.warning.bind(on_more_time=lambda *_a: self.more_time())
        self.warning.seconds_left = self.timer.seconds_left()
        if self.warning.parent is None:
            self.warning.open(animation=False)
