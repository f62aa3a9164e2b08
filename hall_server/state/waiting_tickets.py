"""Waiting tickets as the queue rules take them, converted once per row and kept per process."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from hall_server.domain.queue import WaitingTicket


class WaitingTicketCache:
    """A waiting ticket's row does not change while it waits, and every ticket issued re-reads the whole
    line: converting each row once keeps that read cheap. Emptied whole when ``limit`` rows pile up."""

    def __init__(self, limit: int = 50_000) -> None:
        self._limit = limit
        self._converted: dict[Hashable, WaitingTicket] = {}

    def known(self, key: Hashable) -> WaitingTicket | None:
        """The ticket converted already, or None (no conversion: the caller's loop stays a lookup)."""
        return self._converted.get(key)

    def get(self, key: Hashable, convert: Callable[[], WaitingTicket]) -> WaitingTicket:
        found = self._converted.get(key)
        if found is None:
            found = convert()
            if len(self._converted) >= self._limit:
                self._converted.clear()
            self._converted[key] = found
        return found
