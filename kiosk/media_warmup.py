"""The media stack's one-off set-up (aiortc, PyAV), paid once per process while a call waits."""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)


class MediaWarmUp:
    """``warm()`` loads and sets up the media stack once; ``warmed_s`` is what that took."""

    def __init__(self, run_task: Callable[..., Any]) -> None:
        self._run_task = run_task
        self._started = False
        self.warmed_s: float | None = None

    def warm(self) -> None:
        """Pay the media stack's one-off set-up now, once per process.

        aiortc and PyAV cost about 40 MB, so they are loaded when a citizen first allows a video
        call, not at start; their first call also pays 100-200 ms of set-up (DTLS context, codec
        threads), which this pays while the call waits in line for an agent rather than after one
        answers. The import runs in a thread so the screen keeps answering touches meanwhile.
        """
        if self._started:
            return
        self._started = True
        self._run_task(self._warm(), on_error=lambda exc: log.warning("media warm-up failed: %r", exc))

    async def _warm(self) -> None:
        peer = await asyncio.to_thread(importlib.import_module, "remote_assist.kiosk_peer")
        warm_up: Callable[[], Awaitable[float]] = peer.warm_up
        self.warmed_s = await warm_up()
        log.info("media stack warmed in %.0f ms", self.warmed_s * 1000)
