"""Voice guidance on screen: follows the screen in front, its words and the language, and reads its
heading and prompt through the app's VoiceGuide while the citizen's switch is on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.clock import Clock

from kiosk.voice.guide import VoiceGuide
from kiosk.voice.wording import speech_text


class ScreenVoice:
    """``follow(screen)`` when a screen is shown; ``refresh()`` when the language or the switch
    changes. Changes within one frame (a step's title and prompt together) are said once."""

    def __init__(self, guide: VoiceGuide, lang: Callable[[], str],
                 on_unavailable: Callable[[], None]) -> None:
        self.guide = guide
        self._lang = lang
        self._on_unavailable = on_unavailable
        self._screen: Any = None
        self._bound: list[tuple[str, int]] = []
        self._trigger = Clock.create_trigger(self._speak)

    def follow(self, screen: Any) -> None:
        """``screen`` is now in front: say its words (and again whenever they change)."""
        if self._screen is not None:
            for name, uid in self._bound:
                self._screen.unbind_uid(name, uid)
        self._bound = []
        self._screen = screen
        self.guide.screen_left()
        for name in screen.spoken_properties:
            if screen.property(name, quiet=True) is not None:
                self._bound.append((name, screen.fbind(name, self.refresh)))
        self.refresh()

    def refresh(self, *_args: Any) -> None:
        self._trigger()

    def _speak(self, _dt: float) -> None:
        screen = self._screen
        if screen is None or not self.guide.on:
            return
        lang = self._lang()
        self.guide.show(screen.name, speech_text(screen.spoken_parts(), lang), lang)
        if not self.guide.available:
            self._on_unavailable()
