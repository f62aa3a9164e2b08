"""Floor devices as a running hall knows them: token look-ups with a short cache, and the live streams
of each device, ended when its token stops working (revoked here or by a command)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import Connection

from hall_server.store import devices
from hall_server.store.credentials import token_digest
from hall_server.store.database import Database
from hall_server.store.devices import DEMO_DEVICES, DeviceIdentity

_CACHE_TTL_S = 10.0
_DEMO_TOKENS = frozenset(device.token for device in DEMO_DEVICES)


class DeviceAccess:
    """Who a device token is, and an event per live stream of a device, set when its access ends."""

    def __init__(self, db: Database, demo: bool) -> None:
        self.db = db
        self.demo = demo
        self._cache: dict[str, tuple[float, DeviceIdentity]] = {}
        self._live: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self._lock = threading.Lock()
        self._mark: datetime | None = None
        self._started = False

    def cached(self, token: str) -> DeviceIdentity | None:
        """The device a token names if known without asking the database."""
        if token in _DEMO_TOKENS and not self.demo:
            return None
        with self._lock:
            hit = self._cache.get(token_digest(token))
        return hit[1] if hit is not None and time.monotonic() - hit[0] < _CACHE_TTL_S else None

    def for_token(self, token: str) -> DeviceIdentity | None:
        """The device a token names (may read the database)."""
        if token in _DEMO_TOKENS and not self.demo:  # known to anyone who read the demo's output
            return None
        known = self.cached(token)
        if known is not None:
            return known
        with self.db.read() as conn:
            known = devices.device_for_token(conn, token)
        if known is not None:
            with self._lock:
                self._cache[token_digest(token)] = (time.monotonic(), known)
        return known

    def forget_cached(self) -> None:
        with self._lock:
            self._cache.clear()

    @asynccontextmanager
    async def live(self, name: str) -> AsyncIterator[asyncio.Event]:
        """An event set when the device's token stops working, for as long as its stream lasts."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._live.setdefault(name, set()).add(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                streams = self._live.get(name)
                if streams is not None:
                    streams.discard(entry)
                    if not streams:
                        del self._live[name]

    def lost(self, name: str) -> None:
        """The device's token stopped working: forget it and end its live streams (from any thread)."""
        with self._lock:
            for digest in [d for d, (_at, known) in self._cache.items() if known.name == name]:
                del self._cache[digest]
            streams = list(self._live.get(name, ()))
        for loop, event in streams:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that stream's loop has closed: nothing to end
                pass

    def poll(self, conn: Connection) -> list[str]:
        """Devices whose token changed since the last poll (none on the first: it only finds the mark)."""
        names, self._mark = devices.changed_after(conn, self._mark, report=self._started)
        self._started = True
        return names
