"""Stopping a node's background tasks within a bound, whatever a client library does with the cancel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from typing import Any

log = logging.getLogger(__name__)

# A node asked to stop (a rolling upgrade, systemd's stop) must be gone within its stop timeout: a task
# that swallows its cancel (redis-py's reads under a timeout have done so) may not hold the process.
STOP_WITHIN_S = 3.0


async def stop_tasks(tasks: Sequence[asyncio.Task[Any]], what: str, within_s: float = STOP_WITHIN_S) -> None:
    """Cancel ``tasks`` and wait for them at most ``within_s``; one that has not ended is left (its loop
    also checks a closing flag and ends at its next turn) and said once in the log."""
    for task in tasks:
        task.cancel()
    if not tasks:
        return
    done, pending = await asyncio.wait(tasks, timeout=within_s)
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            log.warning("%s: a task ended with %s while stopping", what, type(task.exception()).__name__)
    if pending:
        log.warning("%s: %d task(s) did not stop within %.0f s; not waiting for them", what, len(pending),
                    within_s)


async def within(work: Awaitable[None], what: str, within_s: float = STOP_WITHIN_S) -> None:
    """Await ``work`` (a piece's close) for at most ``within_s``; past that, go on without it."""
    task = asyncio.ensure_future(work)
    done, _pending = await asyncio.wait({task}, timeout=within_s)
    if not done:
        task.cancel()
        log.warning("%s did not close within %.0f s; not waiting for it", what, within_s)
    elif not task.cancelled() and task.exception() is not None:
        log.warning("%s failed while closing: %s", what, type(task.exception()).__name__)
