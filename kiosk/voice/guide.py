"""Voice guidance for the kiosk: on or off for the visit, reading what the screen in front says."""

from __future__ import annotations

from kiosk.voice.speaker import Speaker


class VoiceGuide:
    """Says each screen's text once while ``on``; a new text stops the one being said."""

    def __init__(self, speaker: Speaker) -> None:
        self.speaker = speaker
        self.on = False
        self._said: tuple[str, str, str] | None = None
        # What the guide asked for, latest last (for maintenance and tests; no personal data is
        # ever given to the guide).
        self.history: list[tuple[str, str]] = []

    @property
    def available(self) -> bool:
        return self.speaker.available

    def switch(self, on: bool) -> None:
        self.on = on
        self._said = None
        if not on:
            self.speaker.stop()

    def show(self, screen: str, text: str, lang: str) -> bool:
        """The citizen sees ``text`` on ``screen`` now: say it if the guide is on and it was not the
        last thing said there. True when speech was started."""
        if not self.on or not self.speaker.available:
            return False
        if self._said == (screen, text, lang):
            return False
        self._said = (screen, text, lang)
        if not text:
            self.speaker.stop()
            return False
        self.history[:] = [*self.history[-19:], (text, lang)]
        self.speaker.say(text, lang)
        return True

    def screen_left(self) -> None:
        """Another screen is coming: whatever it says is new, even the same words."""
        self._said = None

    def close(self) -> None:
        self.speaker.close()
