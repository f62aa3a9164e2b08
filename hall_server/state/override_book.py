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

    def invalidate(self) -> None:
        with self._lock:
            self._checked = 0.0

    def view(self) -> OverrideView:
        now = time.monotonic()
        with self._lock:
            if self._view is not None and now - self._checked < _RECHECK_S:
                return self._view
        with self._db.read() as conn:
            mark = overrides.mark(conn)
            if self._view is not None and self._view.mark == mark:
                view = self._view
            else:
                services = overrides.current(conn, "service")
                view = OverrideView(
                    mark, services_with(default_catalogue(), services), disabled_services(services),
                    overrides.current(conn, "window"),
                    {date.fromisoformat(key): body for key, body in overrides.current(conn, "day").items()},
                )
        with self._lock:
            self._view, self._checked = view, now
        return view
