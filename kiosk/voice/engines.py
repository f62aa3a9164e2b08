"""The speech engines a kiosk config may name (``[voice] engine``), each made into a Speaker."""

from __future__ import annotations

from kiosk.voice.espeak import EspeakSpeaker
from kiosk.voice.speaker import SilentSpeaker, Speaker

# A recorded voice pack from the hall would be one more name here, with its own Speaker.
ENGINES: tuple[str, ...] = ("espeak-ng", "off")


def make_speaker(engine: str, *, espeak_path: str = "espeak-ng") -> Speaker:
    """The Speaker for ``engine`` (one of ENGINES; anything else is a ValueError)."""
    if engine == "espeak-ng":
        return EspeakSpeaker(espeak_path)
    if engine == "off":
        return SilentSpeaker()
    raise ValueError(f"unknown voice engine {engine!r}; known: {', '.join(ENGINES)}")
