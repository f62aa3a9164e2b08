"""Giving memory back between visits: the widgets of a visit are freed in one go once it ends,
then the heap they used is returned to the system."""

import ctypes
import ctypes.util
import gc
import sys
import time
from functools import cache


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
