"""The outermost guard: a failure nobody handled is logged (masked) and the citizen sees a plain
"out of service" message, never a traceback; the kiosk goes on."""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

from kivy.base import ExceptionHandler, ExceptionManager

from kiosk.log_masking import mask_text

log = logging.getLogger(__name__)

# How many lines of recent errors the technician's screen lists.
RECENT_ERRORS = 20


class FailureGuard:
    """Counts failures, keeps the recent ones for the technician, and shows the overlay whose
    restart button calls ``on_restart``."""

    def __init__(self, on_restart: Callable[[], None]) -> None:
        self.failures = 0
        self.recent_errors: list[str] = []
        self.out_of_service: Any = None
        self._on_restart = on_restart

    def guarded(self, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except Exception as exc:
            self.report(exc)
            return None

    def report(self, exc: BaseException) -> None:
        """Log (masked) and show the citizen a plain "out of service" message, never a traceback."""
        self.failures += 1
        # The citizen sees a stable code at most; class names and messages go to the log only.
        code = getattr(exc, "code", None)
        code = code if isinstance(code, str) and code else "unexpected_error"
        summary = mask_text(f"{type(exc).__name__}: {exc}")
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("unhandled failure %s\n%s%s", code, frames, summary)
        self._remember(f"{time.strftime('%H:%M:%S')} {code} ({type(exc).__name__})")
        try:
            self._show_out_of_service(str(code))
        except Exception as overlay_exc:
            # The guard itself must never fail (e.g. Kivy was mid-way through building a widget).
            log.error("out-of-service message not shown: %s", type(overlay_exc).__name__)

    def dismiss(self) -> None:
        if self.out_of_service is not None:
            self.out_of_service.dismiss()

    def _remember(self, entry: str) -> None:
        self.recent_errors = [entry, *self.recent_errors][:RECENT_ERRORS]

    def _show_out_of_service(self, code: str) -> None:
        from kiosk.ui.widgets.overlays import OutOfService

        if self.out_of_service is None:
            self.out_of_service = OutOfService()
            self.out_of_service.bind(on_restart=lambda *_a: self._on_restart())
        self.out_of_service.code = code
        if self.out_of_service.parent is None:
            self.out_of_service.open(animation=False)

    def loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        # Our own tasks report through the task runner; what reaches the loop comes from a
        # library's internal task (aiortc's RTP senders after a peer vanished, say). The call or
        # device it belongs to has its own error path, so this is logged for the technician, not shown.
        exc = context.get("exception")
        message = mask_text(str(context.get("message")))
        if isinstance(exc, BaseException):
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error("event loop: %s\n%s%s", message, frames, mask_text(f"{type(exc).__name__}: {exc}"))
            self._remember(f"{time.strftime('%H:%M:%S')} background ({type(exc).__name__})")
        else:
            log.error("event loop: %s", message)


class KivyExceptionHandler(ExceptionHandler):
    """Kivy's outermost guard: a failing callback never ends the kiosk."""

    def __init__(self, report: Callable[[BaseException], None]) -> None:
        super().__init__()
        self._report = report

    def handle_exception(self, inst: BaseException) -> int:
        # Only failures are guarded. Ctrl-C, an exit and a cancellation (asyncio.CancelledError is
        # not an Exception) must end the loop: swallowed, a cancelled app task would run for ever.
        if not isinstance(inst, Exception):
            return int(ExceptionManager.RAISE)
        self._report(inst)
        return int(ExceptionManager.PASS)
