"""Where the hall's write work runs: on the event loop with PostgreSQL, on one thread with SQLite.

With PostgreSQL a write runs on the event loop itself, in a greenlet (SQLAlchemy's asyncio bridge):
the store's functions stay plain functions taking a ``Connection``, and each statement they send awaits
the asyncio psycopg driver (``Database.open_on_loop``) instead of blocking a thread. On writer threads
the work was the same, but every round trip woke a thread that then queued for the interpreter lock
beside twenty others: about sixty context switches and a quarter of the process's CPU in the kernel
for every ticket issued (``docs/architecture.md``).

With SQLite (no asyncio driver worth the name, one writer at a time anyway) a write runs on a thread
of its own, writers queued in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy.util.concurrency import greenlet_spawn

from hall_server.store.database import Database

T = TypeVar("T")
log = logging.getLogger(__name__)
# How long a node told to stop waits for the writes already running to end before closing their pool.
DRAIN_S = 5.0


class Writers:
    """Runs blocking write work (and with PostgreSQL the reads run on the loop, ``HallState.in_reader``),
    first come first served, at most ``slots`` at once.

    Cancelled while queued, the work never starts; once started it runs to its end (its transaction
    commits or rolls back whole, and what it hands to ``after_commit`` runs) and only the waiting for it
    stops."""

    def __init__(self, db: Database, slots: int) -> None:
        self.db = db
        self._slots = asyncio.Semaphore(slots)  # FIFO: waiters are woken in the order they came
        self._running: set[asyncio.Task[Any]] = set()
        self._closed = False
        # The thread(s) of SQLite's writes, and of PostgreSQL's outside a running app (no loop engine).
        self._threads = ThreadPoolExecutor(max_workers=1 if db.is_sqlite else slots,
                                           thread_name_prefix="hall-writer")

    async def run(self, work: Callable[[], T]) -> T:
        if self._closed:
            raise asyncio.CancelledError("the hall is stopping")
        if not self.db.on_this_loop():
            return await asyncio.get_running_loop().run_in_executor(self._threads, work)
        await self._slots.acquire()
        if self._closed:
            self._slots.release()
            raise asyncio.CancelledError("the hall is stopping")
        task = asyncio.get_running_loop().create_task(self._released_after(work))
        self._running.add(task)
        task.add_done_callback(self._ended)
        # Shielded: the caller's cancellation stops its waiting, not the transaction under way.
        return await asyncio.shield(task)

    async def _released_after(self, work: Callable[[], T]) -> T:
        try:
            return await greenlet_spawn(work)
        finally:
            self._slots.release()

    def _ended(self, task: asyncio.Task[Any]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # Retrieved here so that a write whose caller went away does not log "never retrieved";
            # the caller, if still waiting, gets the exception through the shield.
            log.debug("a write ended with %r", task.exception())

    async def close(self) -> None:
        """Take no more writes: those queued are dropped; those running may end, within ``DRAIN_S``."""
        self._closed = True
        self._threads.shutdown(wait=False, cancel_futures=True)
        if self._running:
            await asyncio.wait(set(self._running), timeout=DRAIN_S)
