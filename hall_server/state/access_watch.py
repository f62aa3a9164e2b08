"""Revocations seen by a running hall (also those a command wrote), and kiosks' last use written cheaply."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection

from hall_server.store import access
from hall_server.store.database import Database

Party = tuple[str, str]
# How the hall closes a party's live connections (the signaling hub installs it); a no-op by default.
Disconnect = Callable[[Party, str], None]
USE_WRITE_EVERY_S = 60.0


class AccessWatch:
    """Finds kiosks and accounts whose access changed, and remembers kiosks' last use in memory.

    A kiosk's use is written at most once a minute, not once a request.
    """

    def __init__(self, db: Database, ticker: Callable[[], float] = time.monotonic) -> None:
        self.db = db
        self.disconnect: Disconnect = lambda _party, _reason: None
        self._ticker = ticker
        self._mark: datetime | None = None
        self._started = False
        self._lock = threading.Lock()
        self._used: dict[str, datetime] = {}
        self._written: dict[str, float] = {}

    def note_kiosk_use(self, name: str, at: datetime) -> None:
        with self._lock:
            self._used[name] = at

    def flush_uses(self, *, force: bool = False) -> int:
        """Write the last use of kiosks not written in the last minute; returns how many were written."""
        now = self._ticker()
        with self._lock:
            due = [(name, at) for name, at in self._used.items()
                   if force or now - self._written.get(name, -USE_WRITE_EVERY_S) >= USE_WRITE_EVERY_S]
            for name, _at in due:
                del self._used[name]
                self._written[name] = now
        if due:
            with self.db.write() as conn:
                access.mark_kiosks_used(conn, due)
        return len(due)

    def uses_due(self) -> bool:
        """Whether ``flush_uses`` has anything to write now (asked on the event loop, without a thread)."""
        now = self._ticker()
        with self._lock:
            return any(now - self._written.get(name, -USE_WRITE_EVERY_S) >= USE_WRITE_EVERY_S
                       for name in self._used)

    def poll(self, conn: Connection) -> access.AccessChanges:
        """Kiosks and accounts changed since the last poll (none on the first: it only finds the mark)."""
        changes = access.changes_after(conn, self._mark, report=self._started)
        self._started = True
        self._mark = changes.mark
        return changes
