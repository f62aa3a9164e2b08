"""Voice guidance by touch: the 语音播报 switch in the top bar, what each screen says in each language,
elderly mode turning it on, the end of a visit turning it off, no personal data spoken, a kiosk
without espeak-ng, and the real espeak-ng writing what it says to WAV files."""

from __future__ import annotations

import wave

import pytest

from kiosk.i18n import _
from kiosk.voice import EspeakSpeaker

pytestmark = pytest.mark.ui


class RecordingSpeaker:
    """Keeps what the kiosk asked to be said (the engine is the unit boundary here)."""

    available = True

    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []
        self.stops = 0

    def say(self, text: str, lang: str) -> None:
        self.said.append((text, lang))

    def stop(self) -> None:
        self.stops += 1

    def close(self) -> None:
        pass


@pytest.fixture
def speaker(kiosk):
    guide = kiosk.app.voice
    kept = guide.speaker
    recorder = RecordingSpeaker()
    guide.speaker = recorder
    yield recorder
    guide.speaker = kept
    kiosk.app.voice_on = False
    kiosk.app.voice_available = kept.available


HOME = {
    "zh_Hans": "请选择您要办理的业务",
    "zh_Hant": "請選擇您要辦理的業務",
    "en": "What would you like to do?",
}


def _home_text(lang):
    tiles = ["Book an appointment", "Take a ticket", "Records and printing", "Service guides", "My bookings",
             "Video help"]
    return [_(tile, lang) for tile in tiles]


def _said_since(speaker, mark):
    return speaker.said[mark:]


def test_the_switch_reads_each_screen_in_the_chosen_language(kiosk, speaker):
    kiosk.start_visit()
    kiosk.pump(4)
    assert speaker.said == [] and not kiosk.app.voice_on
    toggle = kiosk.find(id="voice_toggle")
    assert toggle.text == "语音播报 关"
    kiosk.tap(toggle)
    kiosk.wait_until(lambda: speaker.said, what="the home screen read aloud")
    assert kiosk.app.voice_on and toggle.text == "语音播报 开"
    text, lang = speaker.said[-1]
    assert lang == "zh_Hans" and text.startswith(HOME["zh_Hans"])
    assert all(tile in text for tile in _home_text("zh_Hans"))
    kiosk.screenshot("voice_on_home_zh_Hans")
    for lang in ("zh_Hant", "en"):
        mark = len(speaker.said)
        kiosk.tap(kiosk.find(id=f"lang_{lang}"))
        kiosk.wait_until(lambda mark=mark: _said_since(speaker, mark), what=f"home read in {lang}")
        kiosk.pump(2)
        # One reading per change: the title and the tiles that follow the language come together.
        assert len(_said_since(speaker, mark)) == 1
        text, said_lang = speaker.said[-1]
        assert said_lang == lang and text.startswith(HOME[lang])
        assert all(tile in text for tile in _home_text(lang))
    # Another screen: its heading and prompt, in the language shown.
    mark = len(speaker.said)
    kiosk.tap(kiosk.find(id="tile_ticket"))
    ticket = kiosk.wait_for_screen("ticket")
    kiosk.wait_until(lambda: not ticket.busy, what="the services loaded")
    prompt = "Choose your service, or check in for a booking"
    kiosk.wait_until(lambda: any(prompt in text for text, _l in _said_since(speaker, mark)),
                     what="the ticket screen read aloud")
    assert speaker.said[-1] == (f"Take a ticket. {prompt}.", "en")
    # The switch is in this screen's top bar too; off, nothing more is said.
    stops = speaker.stops
    kiosk.tap(kiosk.find(id="voice_toggle"))
    assert not kiosk.app.voice_on and speaker.stops > stops
    mark = len(speaker.said)
    kiosk.tap(kiosk.find(id="lang_zh_Hans"))
    kiosk.wait_until(lambda: not ticket.busy, what="the services in Simplified")
    kiosk.pump(6)
    assert _said_since(speaker, mark) == []


def test_elderly_mode_turns_voice_on_and_a_new_visit_starts_without_it(kiosk, speaker):
    kiosk.start_visit()
    kiosk.tap(kiosk.find(id="elderly_toggle"))
    kiosk.wait_until(lambda: speaker.said, what="elderly mode reading the screen")
    assert kiosk.app.voice_on and kiosk.find(id="voice_toggle").lit
    assert speaker.said[-1][0].startswith(HOME["zh_Hans"])
    kiosk.screenshot("voice_elderly_home_zh_Hans")
    # The citizen may still turn it off in elderly mode.
    kiosk.tap(kiosk.find(id="voice_toggle"))
    assert not kiosk.app.voice_on and kiosk.app.elderly
    kiosk.tap(kiosk.find(id="voice_toggle"))
    assert kiosk.app.voice_on
    # Finish the visit: the next citizen starts with voice off, on the attract screen.
    kiosk.tap(kiosk.find(id="home_button"))
    kiosk.wait_for_screen("attract")
    assert not kiosk.app.voice_on and not kiosk.app.elderly
    mark = len(speaker.said)
    kiosk.start_visit()
    kiosk.pump(6)
    assert _said_since(speaker, mark) == []


def test_the_attract_screen_has_the_switch_too(kiosk, speaker):
    # Frames first: the home screen of the visit before may still be in the window for one.
    kiosk.wait_for_screen("attract")
    kiosk.tap(kiosk.find(id="voice_toggle"))
    kiosk.wait_until(lambda: speaker.said, what="the attract screen read aloud")
    text, lang = speaker.said[-1]
    assert lang == "zh_Hans" and _("Touch to start", "zh_Hans") in text
    assert kiosk.app.local_hall_name in text


def test_no_name_or_id_number_is_ever_spoken(kiosk, speaker):
    kiosk.start_visit()
    kiosk.tap(kiosk.find(id="voice_toggle"))
    kiosk.app.go("identify", next="home", purpose="booking", service="SB-001")
    screen = kiosk.wait_for_screen("identify")
    screen.auto_continue_s = None
    try:
        purpose = _("To book, we need to know who you are.")
        kiosk.wait_until(lambda: any(purpose in text for text, _l in speaker.said),
                         what="the identify screen read aloud")
        kiosk.place_card("zhang_wei")
        kiosk.wait_until(lambda: kiosk.find_all(id="shown_id"), timeout=15, what="card confirmation")
        kiosk.pump(6)
        kiosk.tap(kiosk.find(id="confirm"))
        kiosk.wait_for_screen("home")
        kiosk.pump(4)
    finally:
        screen.auto_continue_s = 2.5
    spoken = " ".join(text for text, _l in speaker.said)
    for personal in ("张伟", "张*", "440106198503121237", "4401", "1237"):
        assert personal not in spoken, personal


def test_without_espeak_the_switch_says_voice_is_unavailable(kiosk, speaker, tmp_path):
    kiosk.app.voice.speaker = EspeakSpeaker(str(tmp_path / "espeak-ng"))
    kiosk.start_visit()
    toggle = kiosk.find(id="voice_toggle")
    kiosk.tap(toggle)
    kiosk.wait_until(lambda: not kiosk.app.voice_available, what="voice found unavailable")
    kiosk.pump(2)
    assert toggle.text == _("Voice unavailable") == "语音不可用" and toggle.disabled
    assert not kiosk.app.voice_on
    # Elderly mode does not turn on what is not there, and the kiosk goes on working.
    kiosk.tap(kiosk.find(id="elderly_toggle"))
    assert kiosk.app.elderly and not kiosk.app.voice_on
    kiosk.tap(kiosk.find(id="lang_en"))
    assert toggle.text == "Voice unavailable"
    kiosk.screenshot("voice_unavailable_home_en_elderly")
    kiosk.tap(kiosk.find(id="tile_guides"))
    guides = kiosk.wait_for_screen("guides")
    kiosk.wait_until(lambda: not guides.busy, what="the guides loaded")


def test_real_espeak_speaks_each_screen_into_wav_files(kiosk, speaker, tmp_path):
    """The wiring end to end: the switch, the app's guide, espeak-ng, a WAV per reading."""
    espeak = EspeakSpeaker(wav_dir=tmp_path)
    if not espeak.available:
        pytest.skip("espeak-ng is not installed")
    kiosk.app.voice.speaker = espeak
    try:
        kiosk.start_visit()
        kiosk.tap(kiosk.find(id="voice_toggle"))
        for lang in ("zh_Hant", "en"):
            kiosk.tap(kiosk.find(id=f"lang_{lang}"))
            kiosk.pump(4)
        kiosk.tap(kiosk.find(id="tile_guides"))
        guides = kiosk.wait_for_screen("guides")
        kiosk.wait_until(lambda: not guides.busy, what="the guides loaded")

        def finished():
            files = sorted(tmp_path.glob("*.wav"))
            return files if len(files) >= 4 and not espeak.speaking else None

        files = kiosk.wait_until(finished, timeout=20, what="four readings written")
        langs = [path.stem.split("-", 1)[1] for path in files]
        assert langs[:3] == ["zh_Hans", "zh_Hant", "en"] and langs[-1] == "en"
        # The last reading (the guides screen) ran to its end: real sound, not silence.
        with wave.open(str(files[-1]), "rb") as wav:
            assert wav.getnframes() / wav.getframerate() > 1.0
    finally:
        espeak.close()


def test_guidance_stays_silent_while_a_video_call_is_connected(kiosk, speaker):
    """In a call the speaker carries the staff's voice and the microphone the citizen's: guidance would
    talk over both and go down the call, so it stops when the call connects and speaks again after."""
    kiosk.start_visit()
    kiosk.app.voice_on = True
    kiosk.app.go("video_call")
    call = kiosk.wait_for_screen("video_call")
    kiosk.wait_until(lambda: speaker.said, what="the consent step read aloud")
    mark, stops = len(speaker.said), speaker.stops
    call.state = "in_call"
    kiosk.wait_until(lambda: speaker.stops > stops, what="speech stopped as the call connects")
    kiosk.pump(4)
    assert _said_since(speaker, mark) == []
    call.state = "ended"
    kiosk.wait_until(lambda: _said_since(speaker, mark), what="the end of the call read aloud")
