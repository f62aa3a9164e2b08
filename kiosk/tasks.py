"""The kiosk's background tasks: coroutines on the event loop whose results come back to the UI."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any


class TaskRunner:
    """Runs coroutines on the loop and keeps them until done; a failure nobody handles goes to
    ``report_failure`` (the outermost guard)."""

    def __init__(self, report_failure: Callable[[BaseException], None]) -> None:
        self._report_failure = report_failure
        self._tasks: set[asyncio.Task[Any]] = set()

    def run(
        self,
        coro: Awaitable[Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> asyncio.Task[Any]:
        """Run ``coro`` on the event loop; ``on_done(result)`` or ``on_error(exc)`` run on the UI.

        Without ``on_error`` a failure reaches the outermost guard (logged, "out of service").
        """

        # A coroutine becomes the task itself: one cancelled before its first step is then closed by
        # the task (a coroutine wrapped in another was never started, and warned "never awaited").
        if asyncio.iscoroutine(coro):
            task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        else:

            async def wrapped() -> Any:
                return await coro

            task = asyncio.ensure_future(wrapped())
        self._tasks.add(task)

        def finished(done: asyncio.Task[Any]) -> None:
            self._tasks.discard(done)
            if done.cancelled():
                return
            exc = done.exception()
            try:
                if exc is not None:
                    if on_error is None:
                        self._report_failure(exc)
                    else:
                        on_error(exc)
                elif on_done is not None:
                    on_done(done.result())
            except Exception as callback_exc:
                self._report_failure(callback_exc)

        task.add_done_callback(finished)
        return task

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
