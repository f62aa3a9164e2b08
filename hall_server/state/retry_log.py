"""What a background loop of the hall tells its log when its database work fails and is retried.

The access watch runs three times a second on every node: a database that restarts or fails over
would write three tracebacks a second to the journal of each node, and bury what the technician needs.
A loop says once that it is failing (one line with the database's own words when the database failed,
as a lost connection or a database shutting down; the traceback for any other error, a fault of the
hall's own), nothing more while it keeps failing, and once that it works again.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError


class RetryLog:
    """The log of one retried loop (``what`` names it in each line)."""

    def __init__(self, log: logging.Logger, what: str) -> None:
        self.log = log
        self.what = what
        self.failing_since: float | None = None
        self.failures = 0

    def failed(self, exc: SQLAlchemyError) -> None:
        self.failures += 1
        if self.failing_since is not None:
            return
        self.failing_since = time.monotonic()
        if database_side(exc):
            self.log.warning("%s failed (%s); retrying", self.what, first_line(exc))
        else:
            self.log.warning("%s failed; retrying", self.what, exc_info=exc)

    def succeeded(self) -> None:
        if self.failing_since is None:
            return
        self.log.warning("%s works again after %.1f s and %d failed attempts", self.what,
                         time.monotonic() - self.failing_since, self.failures)
        self.failing_since = None
        self.failures = 0


def database_side(exc: SQLAlchemyError) -> bool:
    """An error of the database's operation (PEP 249's OperationalError and InterfaceError: a lost or
    refused connection, a database shutting down or failing over), not one of the hall's statements."""
    if isinstance(exc, (DisconnectionError, OperationalError, InterfaceError)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def first_line(exc: SQLAlchemyError) -> str:
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {text[0] if text else ''}"
