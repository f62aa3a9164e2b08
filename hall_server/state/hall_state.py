"""What every request shares (``app.state.hall``): settings, database, clock, caches and identity look-ups;
the pieces several nodes share (floor bus, limits, access news) come from ``node_pieces``.

Remote assistance relies on ``kiosk_for_token``, ``staff_for_token``, ``site_staffed`` and ``clock``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

import anyio.to_thread

from hall_server.clock import Clock
from hall_server.config import DEMO_KIOSK_TOKEN, Settings
from hall_server.records.registry import RecordsRegistry, demo_registry
from hall_server.state.access_watch import AccessWatch, Party
from hall_server.state.calendar_book import CalendarBook
from hall_server.state.client_address import ClientAddress
from hall_server.state.device_access import DeviceAccess
from hall_server.state.identity_kit import IdentityKit, build_identity_kit
from hall_server.state.node_pieces import NodePieces, memory_pieces
from hall_server.state.override_book import OverrideBook
from hall_server.state.pending_answers import PendingAnswers
from hall_server.state.redis_pieces import redis_pieces
from hall_server.state.request_limits import Ticker
from hall_server.state.waiting_tickets import WaitingTicketCache
from hall_server.state.writers import Writers
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
                 identity: IdentityKit | None = None, pieces: NodePieces | None = None) -> None:
        self.settings = settings
        # Rate limits run on a monotonic ticker, not on the hall clock: that one stands still in tests
        # and jumps with ``--now``.
        if pieces is None:
            url = settings.redis_url
            # Redis is asked once here: ConfigError redis_unreachable when it does not answer.
            pieces = memory_pieces(settings, ticker) if url is None else redis_pieces(settings, url)
        self.node = pieces
        self.request_limits = self.node.request_limits
        self.login_limits = self.node.login_limits
        self.floor = self.node.floor
        self.node.access_news.heard = self._heard_access_lost
        self.node.access_news.gap = self.forget_cached_tokens
        self.addresses = ClientAddress(settings.trusted_proxies)
        self.records = records or demo_registry()
        self.identity = identity or build_identity_kit(settings)
        self.db = db
        self.clock = clock
        self.overrides = OverrideBook(db)
        self.calendars = CalendarBook(db, self.overrides)
        self.waiting_tickets = WaitingTicketCache()
        self.access = AccessWatch(db, ticker)
        self.devices = DeviceAccess(db, settings.demo)
        # Token look-ups happen on every request; a short cache keeps them off the database.
        self._kiosk_cache: dict[str, tuple[float, KioskIdentity]] = {}
        self._staff_cache: dict[str, tuple[float, StaffIdentity, datetime]] = {}
        self._cache_lock = threading.Lock()
        # Writes first come first served (not anyio's worker threads: their hand-off was an eighth of a
        # ticket's CPU), as many at once as the pool has connections; SQLite's one at a time.
        self.writers = Writers(db, settings.db_pool_size)
        self.answers = PendingAnswers(self.writers)

    async def in_writer(self, work: Callable[[], T]) -> T:
        """Run blocking write work (``state.writers``: on the loop with PostgreSQL, else on a thread),
        queued fairly behind other writers. Cancelled while queued, the work never starts; once started
        it runs to its end (its transaction commits or rolls back whole) and only the waiting stops."""
        return await self.writers.run(work)

    async def in_reader(self, work: Callable[[], T]) -> T:
        """Run blocking read work: with PostgreSQL on the loop beside the writes (one queue, as many at
        once as the loop's pool has connections), saving a worker thread's waking for each round trip;
        with SQLite on a worker thread, where reads run beside the one writer."""
        if self.db.on_this_loop():
            return await self.writers.run(work)
        return await anyio.to_thread.run_sync(work)

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

    def session_ended(self, token: str, who: StaffIdentity | None) -> None:
        """A staff session ended here (sign-out): forgotten on this node and, by word, on the others."""
        self.forget_staff_token(token)
        if who is not None:
            self.access_lost(("staff", who.username), "signed_out")
        party: Party = ("staff", who.username if who is not None else "")
        self.node.access_news.tell(party, "signed_out", token_digest(token))

    def _heard_access_lost(self, party: Party, reason: str, digest: str | None) -> None:
        """Another node said ``party``'s access ended there."""
        if digest is not None:
            with self._cache_lock:
                self._kiosk_cache.pop(digest, None)
                self._staff_cache.pop(digest, None)
        if party[1]:
            self.access_lost(party, reason)

    def forget_cached_tokens(self) -> None:
        """Word from other nodes may have been missed: every token is looked up afresh."""
        with self._cache_lock:
            self._kiosk_cache.clear()
            self._staff_cache.clear()
        self.devices.forget_cached()

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
        with self.db.read() as conn:  # one transaction for both, several times a second on every node
            changes = self.access.poll(conn)
            changed_devices = self.devices.poll(conn)
        for name in changes.kiosks:
            self.access_lost(("kiosk", name), "token_revoked")
        for name in changes.staff:
            self.access_lost(("staff", name), "account_changed")
        for name in changed_devices:
            self.devices.lost(name)

    def staff_session_ttl(self) -> timedelta:
        return timedelta(seconds=self.settings.staff_session_ttl_s)

    def site_staffed(self, site: str, at: datetime) -> tuple[bool, datetime | None]:
        """Whether ``site`` has a staffed session at ``at``, and when the next one opens."""
        try:
            return self.calendars.site(site).staffed_at(at)
        except Refusal:  # an unknown site is never staffed
            return False, None
