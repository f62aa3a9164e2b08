"""Giving memory back between visits: the widgets of a visit are freed in one go once it ends."""

import ctypes
import ctypes.util
import gc
import logging
import sys
import time
from functools import cache

log = logging.getLogger(__name__)


@cache
def _malloc_trim() -> object | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


def release_freed_memory() -> float:
    """Collect the widget cycles a visit left behind and return the freed heap pages to the system.

    Kivy widgets are reference cycles, so a screen's old content waits for the cyclic collector;
    and glibc keeps freed heap pages (textures under a software renderer, glyph surfaces) unless
    asked to trim. Returns the seconds it took (a few hundred ms after a long visit), which is
    why it runs on the attract screen, between visits.
    """
    started = time.perf_counter()
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)  # type: ignore[operator]
    took = time.perf_counter() - started
    log.debug("memory released in %.0f ms", took * 1000)
    return took
