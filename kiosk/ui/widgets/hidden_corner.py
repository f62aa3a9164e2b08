"""The technician's hidden entry: five taps on the top-left corner within three seconds."""

import time
from collections.abc import Callable
from typing import Any

from kivy.input.motionevent import MotionEvent
from kivy.properties import NumericProperty
from kivy.uix.widget import Widget


class TapSequence:
    """Counts taps that fall within a sliding window; ``tap()`` is True when the count is reached."""

    def __init__(self, count: int = 5, window_s: float = 3.0, clock: Callable[[], float] = time.monotonic):
        self.count = count
        self.window_s = window_s
        self.clock = clock
        self._taps: list[float] = []

    def tap(self) -> bool:
        now = self.clock()
        self._taps = [t for t in self._taps if now - t <= self.window_s]
        self._taps.append(now)
        if len(self._taps) >= self.count:
            self._taps.clear()
            return True
        return False


class HiddenCorner(Widget):
    """Invisible; fires ``on_unlock`` after the tap sequence."""

    taps_needed = NumericProperty(5)
    window_s = NumericProperty(3.0)

    __events__ = ("on_unlock",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sequence = TapSequence(self.taps_needed, self.window_s)

    def on_touch_down(self, touch: MotionEvent) -> bool:
        if not self.collide_point(*touch.pos):
            return False
        if self._sequence.tap():
            self.dispatch("on_unlock")
        return True

    def on_unlock(self) -> None:
        pass
