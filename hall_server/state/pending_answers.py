"""Answers of keyed one-statement creations (a walk-in ticket on PostgreSQL), stored together after they
are sent.

The creating statement records the key, pending, with the id of what it made, and commits both
(``middleware.idempotency``). Its answer used to be stored by a second statement before the response
went: one more round trip, and one more commit for PostgreSQL to flush, on every ticket a kiosk takes.
Here the answer is sent at once and kept in this node's memory; one statement stores every answer kept
meanwhile (``store.idempotency.answer_many``), queued behind the writes like any other.

A repeat that reaches this node before its answer is stored is answered from memory, as the first
request was. A repeat that reaches another node meanwhile, or any node after this one was lost before
storing, finds the key pending and is answered from what was made, as it stands: what the design already
did for a node lost between the two statements. Should the storing statement fail, its keys stay pending
in the same way: the failure is logged, nothing is retried.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from itertools import islice

from hall_server.state.writers import Writers
from hall_server.store import idempotency

log = logging.getLogger(__name__)
# Answers one statement stores at most: about 80 KB of JSON bodies.
BATCH_MOST = 200


class PendingAnswers:
    """Answers sent but not yet stored, by (scope, key); written by one task at a time."""

    def __init__(self, writers: Writers) -> None:
        self._writers = writers
        self._kept: dict[tuple[str, str], tuple[int, str]] = {}
        self._storing: asyncio.Task[None] | None = None
        self._closed = False

    def keep(self, scope: str, key: str, status_code: int, body: str) -> bool:
        """Keep an answer to be stored with the others. False when it must be stored now by the caller:
        work run outside the event loop (a worker thread), or a node that is stopping."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        if self._closed or not self._writers.db.on_this_loop():
            return False
        self._kept[(scope, key)] = (status_code, body)
        if self._storing is None:
            self._storing = loop.create_task(self._store_kept())
        return True

    def kept(self, scope: str, key: str) -> tuple[int, str] | None:
        """The answer sent for ``key`` and not stored yet, if this node sent it."""
        return self._kept.get((scope, key))

    async def _store_kept(self) -> None:
        try:
            while self._kept:
                batch = dict(islice(self._kept.items(), BATCH_MOST))
                try:
                    await self._writers.run(partial(self._store, batch))
                except Exception as exc:  # the database is gone or the node is stopping: keys stay pending
                    log.warning("%d answers of keyed creations were not stored (%s): their keys stay pending",
                                len(batch), type(exc).__name__)
                except asyncio.CancelledError:
                    log.warning("%d answers of keyed creations were not stored: the node is stopping",
                                len(self._kept))
                    self._kept.clear()
                    raise
                for entry, answer in batch.items():
                    if self._kept.get(entry) is answer:
                        del self._kept[entry]
        finally:
            self._storing = None

    def _store(self, batch: dict[tuple[str, str], tuple[int, str]]) -> None:
        db = self._writers.db
        with db.write_one() as conn:
            idempotency.answer_many(conn, [(scope, key, status, body)
                                           for (scope, key), (status, body) in batch.items()])

    async def close(self) -> None:
        """Store what is kept (before the writers close); later answers are stored by their requests."""
        self._closed = True
        if self._storing is not None:
            await asyncio.shield(self._storing)
