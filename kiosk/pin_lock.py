"""The maintenance PIN's lockout: wrong PINs counted by the app, kept in a small owner-only file."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

MAX_PIN_ATTEMPTS = 5
LOCKOUT_S = 300.0
# Each lockout after the first lasts twice as long, up to this: guessing stays slow for good.
MAX_LOCKOUT_S = 3600.0


class PinLock:
    """Counts wrong PINs across openings of the maintenance screen and restarts of the kiosk.

    After ``max_attempts`` wrong PINs in a row no PIN is accepted (not even the right one) for a
    lockout that doubles with each lockout in a row; the right PIN outside a lockout starts afresh.
    The state lives in the app, not the screen (a screen is rebuilt or re-entered at will), and
    in ``path`` when given, so pulling the plug does not hand out fresh attempts either.
    """

    def __init__(
        self,
        path: Path | None,
        *,
        max_attempts: int = MAX_PIN_ATTEMPTS,
        lockout_s: float = LOCKOUT_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.max_attempts = max_attempts
        self.lockout_s = lockout_s
        # Wall-clock time: a lockout must outlast a restart, which a monotonic clock does not.
        self._clock = clock
        self.failures = 0
        self.lockouts = 0
        self.locked_until = 0.0
        self._load()

    def remaining_s(self) -> float:
        """Seconds the lockout still lasts; 0 when a PIN may be tried."""
        left = self.locked_until - self._clock()
        # A clock set back must not stretch a lockout beyond the longest one.
        return min(max(0.0, left), MAX_LOCKOUT_S)

    @property
    def locked(self) -> bool:
        return self.remaining_s() > 0

    def failed(self) -> bool:
        """Count a wrong PIN; True when it starts a lockout."""
        self.failures += 1
        starts = self.failures >= self.max_attempts
        if starts:
            self.lockouts += 1
            span = min(MAX_LOCKOUT_S, self.lockout_s * 2 ** (self.lockouts - 1))
            self.locked_until = self._clock() + span
            self.failures = 0
            log.warning("maintenance PIN: %d wrong in a row, locked for %.0f s", self.max_attempts, span)
        self._save()
        return starts

    def succeeded(self) -> None:
        self.failures = 0
        self.lockouts = 0
        self.locked_until = 0.0
        self._save()

    # -- the file --

    def _load(self) -> None:
        if self.path is None:
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.failures = max(0, int(data.get("failures", 0)))
            self.lockouts = max(0, int(data.get("lockouts", 0)))
            self.locked_until = float(data.get("locked_until", 0.0))
        except FileNotFoundError:
            return
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            # An unreadable file must not open the lock: treat it as a lockout just begun.
            log.warning("maintenance PIN state unreadable (%s): locked", type(exc).__name__)
            self.locked_until = self._clock() + self.lockout_s

    def _save(self) -> None:
        if self.path is None:
            return
        data = json.dumps({"failures": self.failures, "lockouts": self.lockouts,
                           "locked_until": self.locked_until})
        scratch = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                scratch.unlink()
            # Created owner-only from the start, never readable by others even for a moment.
            fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(data)
            os.replace(scratch, self.path)
        except OSError as exc:
            # The count still holds in memory for as long as the kiosk runs.
            log.warning("maintenance PIN state not saved: %s", type(exc).__name__)
