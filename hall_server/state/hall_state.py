"""What every request shares (``app.state.hall``): settings, database, clock, caches and identity look-ups.

Remote assistance relies on ``kiosk_for_token``, ``staff_for_token``, ``site_staffed`` and ``clock``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

import anyio
import anyio.to_thread

from hall_server.clock import Clock
from hall_server.config import DEMO_KIOSK_TOKEN, Settings
from hall_server.records.registry import RecordsRegistry, demo_registry
from hall_server.state.access_watch import AccessWatch, Party
from hall_server.state.calendar_book import CalendarBook
from hall_server.state.client_address import ClientAddress
from hall_server.state.device_access import DeviceAccess
from hall_server.state.floor_bus import FloorBus
from hall_server.state.identity_kit import IdentityKit, build_identity_kit
from hall_server.state.override_book import OverrideBook
from hall_server.state.request_limits import LoginLimits, RateLimiter, Ticker
from hall_server.state.waiting_tickets import WaitingTicketCache
from hall_server.store import identities
from hall_server.store.credentials import token_digest
from hall_server.store.database import Database
from hall_server.store.devices import DeviceIdentity
from hall_server.store.identities import KioskIdentity, StaffIdentity
from hall_server.usecases.refusal import Refusal

T = TypeVar("T")
DEMO_KIOSK = KioskIdentity(name="kiosk-01", site="HQ")
_CACHE_TTL_S = 10.0


class HallState:
    def __init__(self, settings: Settings, db: Database, clock: Clock,
                 records: RecordsRegistry | None = None, *, ticker: Ticker = time.monotonic,
                 identity: IdentityKit | None = None) -> None:
        self.settings = settings
        # Rate limits run on a monotonic ticker, not on the hall clock: that one stands still in tests
        # and jumps with ``--now``.
        self.request_limits = RateLimiter(settings.rate_limit_burst, settings.rate_limit_per_s, ticker)
        self.login_limits = LoginLimits(settings, ticker)
        self.addresses = ClientAddress(settings.trusted_proxies)
        self.records = records or demo_registry()
        self.identity = identity or build_identity_kit(settings)
        self.db = db
        self.clock = clock
        self.overrides = OverrideBook(db)
        self.calendars = CalendarBook(db, self.overrides)
        self.waiting_tickets = WaitingTicketCache()
        self.floor = FloorBus()
        self.access = AccessWatch(db, ticker)
        self.devices = DeviceAccess(db, settings.demo)
        # Token look-ups happen on every request; a short cache keeps them off the database.
        self._kiosk_cache: dict[str, tuple[float, KioskIdentity]] = {}
        self._staff_cache: dict[str, tuple[float, StaffIdentity, datetime]] = {}
        self._cache_lock = threading.Lock()
        # SQLite takes one writer at a time: writers queue here as coroutines, in order, instead of as
        # threads of the pool fighting over the database lock.
        self._write_slots = settings.db_pool_size if not db.is_sqlite else 1
        self._write_limiter: anyio.CapacityLimiter | None = None

    async def in_writer(self, work: Callable[[], T]) -> T:
        """Run blocking write work off the event loop, queued fairly behind other writers."""
        if self._write_limiter is None:
            self._write_limiter = anyio.CapacityLimiter(self._write_slots)
        return await anyio.to_thread.run_sync(work, limiter=self._write_limiter)

    def cached_identity(self, token: str) -> KioskIdentity | StaffIdentity | DeviceIdentity | None:
        """A kiosk, staff or device identity known without asking the database, or None."""
        if self.settings.demo and token == DEMO_KIOSK_TOKEN:
            return DEMO_KIOSK
        device = self.devices.cached(token)
        if device is not None:
            return device
        digest = token_digest(token)
        now = time.monotonic()
        with self._cache_lock:
            kiosk = self._kiosk_cache.get(digest)
            staff = self._staff_cache.get(digest)
        if kiosk is not None and now - kiosk[0] < _CACHE_TTL_S:
            return kiosk[1]
        if staff is not None and now - staff[0] < _CACHE_TTL_S and self.now() < staff[2]:
            return staff[1]
        return None

    def now(self) -> datetime:
        return self.clock.now()

    def kiosk_for_token(self, token: str) -> KioskIdentity | None:
        if self.settings.demo and token == DEMO_KIOSK_TOKEN:
            return DEMO_KIOSK
        digest = token_digest(token)
        with self._cache_lock:
            hit = self._kiosk_cache.get(digest)
        if hit is not None and time.monotonic() - hit[0] < _CACHE_TTL_S:
            return hit[1]
        with self.db.read() as conn:
            kiosk = identities.kiosk_for_token(conn, token)
        if kiosk is not None:
            with self._cache_lock:
                self._kiosk_cache[digest] = (time.monotonic(), kiosk)
        return kiosk

    def staff_for_token(self, token: str) -> StaffIdentity | None:
        digest = token_digest(token)
        now = self.now()
        with self._cache_lock:
            hit = self._staff_cache.get(digest)
        if hit is not None and time.monotonic() - hit[0] < _CACHE_TTL_S and now < hit[2]:
            return hit[1]
        with self.db.read() as conn:
            session = identities.staff_session(conn, token, now)
        if session is None:
            return None
        with self._cache_lock:
            self._staff_cache[digest] = (time.monotonic(), session[0], session[1])
        return session[0]

    def identity_for_token(self, token: str) -> KioskIdentity | StaffIdentity | DeviceIdentity | None:
        """The kiosk, the signed-in staff member or the floor device a token belongs to (may read the
        database)."""
        return self.kiosk_for_token(token) or self.staff_for_token(token) or self.devices.for_token(token)

    def forget_staff_token(self, token: str) -> None:
        with self._cache_lock:
            self._staff_cache.pop(token_digest(token), None)

    def access_lost(self, party: Party, reason: str) -> None:
        """A kiosk's token or a staff account stopped working: forget it and close its live sockets."""
        kind, name = party
        with self._cache_lock:
            if kind == "kiosk":
                gone = [d for d, (_at, kiosk) in self._kiosk_cache.items() if kiosk.name == name]
                for digest in gone:
                    del self._kiosk_cache[digest]
            else:
                gone = [d for d, (_at, who, _end) in self._staff_cache.items() if who.username == name]
                for digest in gone:
                    del self._staff_cache[digest]
        self.access.disconnect(party, reason)

    def check_access(self) -> None:
        """Act on revocations written since the last check, by this process or by a command."""
        changes = self.access.poll()
        for name in changes.kiosks:
            self.access_lost(("kiosk", name), "token_revoked")
        for name in changes.staff:
            self.access_lost(("staff", name), "account_changed")
        for name in self.devices.poll():
            self.devices.lost(name)

    def staff_session_ttl(self) -> timedelta:
        return timedelta(seconds=self.settings.staff_session_ttl_s)

    def site_staffed(self, site: str, at: datetime) -> tuple[bool, datetime | None]:
        """Whether ``site`` has a staffed session at ``at``, and when the next one opens."""
        try:
            return self.calendars.site(site).staffed_at(at)
        except Refusal:  # an unknown site is never staffed
            return False, None
