"""The administration's overrides as this process sees them: the effective catalogue, window plans and
calendar days, rebuilt when any process wrote a change (checked every few seconds; at once after a change
made through this process)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from hall_server.domain.catalogue import Catalogue, default_catalogue
from hall_server.domain.overrides import disabled_services, services_with, window_key, window_with
from hall_server.domain.windows import Window
from hall_server.store import overrides
from hall_server.store.database import Database

_RECHECK_S = 2.0


@dataclass(frozen=True)
class OverrideView:
    """One consistent reading of the overrides."""

    mark: int
    catalogue: Catalogue
    disabled: frozenset[str]
    windows: dict[str, dict[str, Any]]
    days: dict[date, dict[str, Any]]

    def window(self, site: str, window: Window) -> Window:
        found = self.windows.get(window_key(site, window.number))
        return window if found is None else window_with(window, found)


class OverrideBook:
    """The overrides in force; ``view()`` answers from memory between checks."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._view: OverrideView | None = None
        self._checked = 0.0
        self._refreshing = False
        self._changes = 0  # invalidations so far: a check begun before one must not count as fresh

    def invalidate(self) -> None:
        with self._lock:
            self._checked = 0.0
            self._changes += 1

    @property
    def ready(self) -> bool:
        """Whether a view has been made (the hall makes one as it starts)."""
        return self._view is not None

    def view(self) -> OverrideView:
        now = time.monotonic()
        with self._lock:
            current = self._view
            if current is not None and (now - self._checked < _RECHECK_S or self._refreshing):
                # Fresh, or another thread is reading the mark: every request of the moment used to
                # read it at once, each on a connection of its own beside its transaction's.
                return current
            self._refreshing = True
            changes = self._changes
        try:
            with self._db.read() as conn:
                mark = overrides.mark(conn)
                if current is not None and current.mark == mark:
                    view = current
                else:
                    services = overrides.current(conn, "service")
                    days = overrides.current(conn, "day")
                    view = OverrideView(
                        mark, services_with(default_catalogue(), services), disabled_services(services),
                        overrides.current(conn, "window"),
                        {date.fromisoformat(key): body for key, body in days.items()},
                    )
        finally:
            with self._lock:
                self._refreshing = False
        with self._lock:
            self._view = view
            self._checked = now if changes == self._changes else 0.0
        return view
