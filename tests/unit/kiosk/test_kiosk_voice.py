"""Voice guidance: espeak-ng speaking each language to WAV files, cancelled by the next text, a
missing program; the guide that says each screen once; the text it reads; the [voice] settings."""

from __future__ import annotations

import array
import logging
import shutil
import signal
import time
import wave
from pathlib import Path

import pytest

from kiosk.config import ConfigError, VoiceConfig, parse_config
from kiosk.voice import VOICES, EspeakSpeaker, SilentSpeaker, Speaker, make_speaker
from kiosk.voice.guide import VoiceGuide
from kiosk.voice.wording import speech_text

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")

SAMPLES = {
    "zh_Hans": "请选择您要办理的业务。预约办事。",
    "zh_Hant": "請選擇您要辦理的業務。預約辦事。",
    "en": "What would you like to do? Book an appointment.",
}


def _wait_done(speaker: EspeakSpeaker, timeout: float = 20.0) -> int:
    process = speaker.process
    assert process is not None
    return process.wait(timeout=timeout)


def _loudness(path: Path) -> tuple[float, int]:
    """Seconds of audio in a 16-bit mono WAV and its loudest sample."""
    with wave.open(str(path), "rb") as wav:
        assert wav.getsampwidth() == 2 and wav.getnchannels() == 1
        frames = wav.readframes(wav.getnframes())
        seconds = wav.getnframes() / wav.getframerate()
    samples = array.array("h", frames)
    return seconds, max((abs(s) for s in samples), default=0)


@needs_espeak
@pytest.mark.parametrize("lang", ["zh_Hans", "zh_Hant", "en"])
def test_espeak_says_each_language_into_a_wav(tmp_path, lang):
    speaker = EspeakSpeaker(wav_dir=tmp_path)
    assert speaker.available
    speaker.say(SAMPLES[lang], lang)
    assert _wait_done(speaker) == 0
    assert speaker.last_wav is not None and speaker.last_wav.name.endswith(f"-{lang}.wav")
    seconds, loudest = _loudness(speaker.last_wav)
    # A short sentence is a second or more of sound, not silence.
    assert seconds > 1.0 and loudest > 1000, (seconds, loudest)
    assert speaker.command("x", lang)[1:3] == ["-v", VOICES[lang]]
    speaker.close()


@needs_espeak
def test_espeak_uses_the_voice_of_each_language(tmp_path):
    """Cantonese and Mandarin read the same characters differently: the two files differ."""
    speaker = EspeakSpeaker(wav_dir=tmp_path)
    files = []
    for lang in ("zh_Hans", "zh_Hant"):
        speaker.say("办事指南", lang)
        assert _wait_done(speaker) == 0
        assert speaker.last_wav is not None
        files.append(speaker.last_wav.read_bytes())
    assert files[0] != files[1]
    speaker.close()


@needs_espeak
def test_a_new_text_kills_the_one_being_said(tmp_path):
    speaker = EspeakSpeaker(wav_dir=tmp_path)
    speaker.say("您要办理什么业务。" * 2000, "zh_Hans")
    first = speaker.process
    assert first is not None
    time.sleep(0.2)
    assert speaker.speaking
    started = time.monotonic()
    speaker.say("取号", "zh_Hans")
    # say() does not wait for the killed child or the new one.
    assert time.monotonic() - started < 0.5
    assert first.wait(timeout=5) == -signal.SIGKILL
    assert _wait_done(speaker) == 0
    speaker.stop()
    assert not speaker.speaking
    speaker.close()


@needs_espeak
def test_stop_kills_the_text_being_said(tmp_path):
    speaker = EspeakSpeaker(wav_dir=tmp_path)
    speaker.say("Book an appointment. " * 2000, "en")
    process = speaker.process
    assert process is not None
    time.sleep(0.2)
    speaker.stop()
    assert process.wait(timeout=5) == -signal.SIGKILL
    assert speaker.process is None and not speaker.speaking
    speaker.close()


@needs_espeak
def test_a_text_starting_with_a_dash_is_said_not_taken_for_an_option(tmp_path):
    speaker = EspeakSpeaker(wav_dir=tmp_path)
    speaker.say("-v xx", "en")
    assert _wait_done(speaker) == 0
    assert speaker.last_wav is not None and _loudness(speaker.last_wav)[1] > 1000
    speaker.close()


def test_a_missing_program_leaves_voice_unavailable_and_logs_once(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="kiosk.voice.espeak")
    speaker = EspeakSpeaker(str(tmp_path / "no-espeak-here"), wav_dir=tmp_path)
    assert not speaker.available
    for _ in range(3):
        speaker.say("取号", "zh_Hans")
    speaker.stop()
    speaker.close()
    assert speaker.process is None and list(tmp_path.iterdir()) == []
    warnings = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(warnings) == 1


def test_a_program_that_cannot_start_turns_voice_off(tmp_path, caplog):
    """A file that is found but cannot run (not executable any more): unavailable, said once."""
    program = tmp_path / "espeak-ng"
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o755)
    speaker = EspeakSpeaker(str(program))
    assert speaker.available
    program.chmod(0o644)
    caplog.set_level(logging.WARNING, logger="kiosk.voice.espeak")
    speaker.say("取号", "zh_Hans")
    speaker.say("取号", "zh_Hans")
    assert not speaker.available
    assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1
    speaker.close()


def test_an_unknown_language_is_refused(tmp_path):
    speaker = EspeakSpeaker(wav_dir=tmp_path)
    with pytest.raises(ValueError, match="no espeak-ng voice"):
        speaker.command("hello", "fr")


def test_engines_from_the_config():
    assert isinstance(make_speaker("espeak-ng"), EspeakSpeaker)
    off = make_speaker("off")
    assert isinstance(off, SilentSpeaker) and not off.available
    assert isinstance(off, Speaker) and isinstance(make_speaker("espeak-ng"), Speaker)
    with pytest.raises(ValueError, match="unknown voice engine"):
        make_speaker("festival")


TOKEN = {"hall": {"token": "kt-test"}, "technician_pin": "5820"}


def test_voice_settings_default_to_espeak():
    assert parse_config(TOKEN).voice == VoiceConfig(engine="espeak-ng", espeak_path="espeak-ng")
    config = parse_config({**TOKEN, "voice": {"engine": "off"}})
    assert config.voice.engine == "off"
    config = parse_config({**TOKEN, "voice": {"espeak_path": "/opt/espeak/bin/espeak-ng"}})
    assert config.voice.espeak_path == "/opt/espeak/bin/espeak-ng"


@pytest.mark.parametrize(("voice", "key", "words"), [
    ({"engine": "festival"}, "voice.engine", "must be one of espeak-ng, off"),
    ({"engine": 1}, "voice.engine", "must be a string"),
    ({"espeak_path": ""}, "voice.espeak_path", "must name the espeak-ng program"),
    ({"espeak_path": 3}, "voice.espeak_path", "must be a string"),
    ({"speed": 2}, "voice.speed", "unknown setting"),
    ("espeak-ng", "voice", "must be a table"),
])
def test_bad_voice_settings_are_refused_naming_the_key(voice, key, words):
    with pytest.raises(ConfigError) as caught:
        parse_config({**TOKEN, "voice": voice})
    assert caught.value.key == key and words in str(caught.value)


class RecordingSpeaker:
    def __init__(self, available: bool = True) -> None:
        self.available = available
        self.said: list[tuple[str, str]] = []
        self.stops = 0

    def say(self, text: str, lang: str) -> None:
        self.said.append((text, lang))

    def stop(self) -> None:
        self.stops += 1

    def close(self) -> None:
        pass


def test_the_guide_says_a_screen_once_and_again_after_a_change():
    speaker = RecordingSpeaker()
    guide = VoiceGuide(speaker)
    assert not guide.show("home", "取号。", "zh_Hans")
    guide.switch(True)
    assert guide.show("home", "取号。", "zh_Hans")
    assert not guide.show("home", "取号。", "zh_Hans")
    assert guide.show("home", "Take a ticket.", "en")
    guide.screen_left()
    assert guide.show("home", "Take a ticket.", "en")
    assert speaker.said == [("取号。", "zh_Hans"), ("Take a ticket.", "en"), ("Take a ticket.", "en")]
    stops = speaker.stops
    guide.switch(False)
    assert speaker.stops == stops + 1
    assert not guide.show("ticket", "取号。", "zh_Hans")


def test_the_guide_is_quiet_without_an_engine():
    guide = VoiceGuide(RecordingSpeaker(available=False))
    guide.switch(True)
    assert not guide.show("home", "取号。", "zh_Hans") and not guide.available


@pytest.mark.parametrize(("parts", "lang", "text"), [
    (["您要办理什么业务？", "预约办事", "取号"], "zh_Hans", "您要办理什么业务？预约办事。取号。"),
    (["What would you like to do?", "Book an appointment", ""], "en",
     "What would you like to do? Book an appointment."),
    (["  Take a\nticket "], "en", "Take a ticket."),
    (["", ""], "zh_Hant", ""),
])
def test_speech_text_makes_sentences(parts, lang, text):
    assert speech_text(parts, lang) == text
