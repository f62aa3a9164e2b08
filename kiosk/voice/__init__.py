"""Spoken guidance: the Speaker interface, espeak-ng behind it, and the engine a kiosk config names."""

from kiosk.voice.engines import ENGINES, make_speaker
from kiosk.voice.espeak import VOICES, EspeakSpeaker
from kiosk.voice.speaker import SilentSpeaker, Speaker

__all__ = ["ENGINES", "VOICES", "EspeakSpeaker", "SilentSpeaker", "Speaker", "make_speaker"]
