"""Giving memory back between visits: the widgets of a visit are freed in one go once it ends,
then the heap they used is returned to the system."""

import ctypes
import ctypes.util
import gc
import logging
import sys
import time
from functools import cache
from typing import Any

from kivy.clock import Clock

log = logging.getLogger(__name__)

# Seconds after a visit ends before its memory is given back: the attract screen is drawn first,
# and Kivy's own short timers (a scroll view's bar fades after 0.5 s) have let go of the widgets.
RELEASE_AFTER_VISIT_S = 1.0


@cache
def _malloc_trim() -> object | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


def collect_widgets() -> float:
    """Collect the widget cycles a visit left behind; returns the seconds it took.

    Kivy widgets are reference cycles, so a screen's old content waits for the cyclic collector.
    A few hundred ms after a long visit, which is why it runs on the attract screen, between visits.
    The GPU textures of the collected widgets are deleted at Kivy's next frame, so
    ``return_freed_heap`` should run after that.
    """
    started = time.perf_counter()
    gc.collect()
    return time.perf_counter() - started


def keep_start_up_objects() -> None:
    """Move what the start made (modules, kv rules, the attract screen, fonts) out of every later
    collection: it lives as long as the kiosk, and the collection between visits then walks only
    what visits made (the hall server does the same at its start)."""
    gc.collect()
    gc.freeze()


def return_freed_heap() -> float:
    """Ask glibc to give the freed heap pages back to the system; returns the seconds it took.

    glibc keeps freed pages for reuse; under a software renderer they hold the textures of the
    visit's screens, tens of MB that would stay counted against the kiosk until the next visit.
    """
    started = time.perf_counter()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)  # type: ignore[operator]
    return time.perf_counter() - started


class MemoryRelease:
    """Gives back what a visit held, a moment after it ended; ``releases`` counts the times done."""

    def __init__(self) -> None:
        self.releases = 0
        self._event: Any = None

    def after_visit(self) -> None:
        """Once the attract screen is drawn, give back what the visit's screens held."""
        if self._event is not None:
            self._event.cancel()
        self._event = Clock.schedule_once(self._collect, RELEASE_AFTER_VISIT_S)

    def _collect(self, _dt: float) -> None:
        collected_s = collect_widgets()
        # The collected widgets' textures are deleted at the next frame; trim after that.
        self._event = Clock.schedule_once(lambda _dt: self._return_heap(collected_s), 0.1)

    def _return_heap(self, collected_s: float) -> None:
        self._event = None
        took_s = collected_s + return_freed_heap()
        self.releases += 1
        log.debug("memory released in %.0f ms", took_s * 1000)
