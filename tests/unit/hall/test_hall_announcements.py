"""What a calling screen says: the sentences, numbers read aloud, and the clips of the packaged voice pack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall_server.domain.announcements import (
    NUMBER_WORDS,
    VoiceManifest,
    announcement,
    parse_manifest,
    read_en,
    read_zh,
    say_texts,
)
from hall_server.domain.queue import ticket_number
from hall_server.state.voice_packs import PACKAGED_DIR

PACK = PACKAGED_DIR / "default"
LANGUAGES = ("zh-Hans", "yue", "en")
ZH_PLACES = {"10": 10, "100": 100, "1000": 1000}
EN_TENS = {str(n): n for n in range(10, 100, 10)}


def default_manifest() -> VoiceManifest:
    return parse_manifest(json.loads((PACK / "manifest.json").read_text("utf-8")), LANGUAGES)


def value_of_zh(words: list[str]) -> int:
    """Read Chinese number words back (a digit multiplies the place after it; 十 alone is ten; 零 marks a gap
    and is never last)."""
    assert words[-1] != "0" or words == ["0"]
    total, digit = 0, None
    for word in words:
        if word == "0":
            assert digit is None
        elif word in ZH_PLACES:
            total += (1 if digit is None else digit) * ZH_PLACES[word]
            digit = None
        else:
            assert digit is None, f"two digits in a row: {words}"
            digit = int(word)
    return total + (digit or 0)


def value_of_en(words: list[str]) -> int:
    total, group = 0, 0
    for word in words:
        if word == "1000":
            total, group = total + group * 1000, 0
        elif word == "100":
            group *= 100
        elif word != "and":
            group += int(word)
    return total + group


def test_the_sentences_of_a_call_in_each_language() -> None:
    assert say_texts("B001", "15", LANGUAGES) == {
        "zh-Hans": "请B001号到15号窗口办理",
        "yue": "請B001號到15號窗口辦理",
        "en": "Number B001, please go to window 15",
    }
    assert list(say_texts("A001", "3", ["en", "zh-Hans"])) == ["en", "zh-Hans"]


@pytest.mark.parametrize(("n", "zh", "en"), [
    (1, ["1"], ["1"]),
    (10, ["10"], ["10"]),
    (15, ["10", "5"], ["15"]),
    (20, ["2", "10"], ["20"]),
    (36, ["3", "10", "6"], ["30", "6"]),
    (100, ["1", "100"], ["1", "100"]),
    (105, ["1", "100", "0", "5"], ["1", "100", "and", "5"]),
    (110, ["1", "100", "1", "10"], ["1", "100", "and", "10"]),
    (1001, ["1", "1000", "0", "1"], ["1", "1000", "and", "1"]),
    (1010, ["1", "1000", "0", "1", "10"], ["1", "1000", "and", "10"]),
    (2300, ["2", "1000", "3", "100"], ["2", "1000", "3", "100"]),
])
def test_window_numbers_are_read_as_numbers(n: int, zh: list[str], en: list[str]) -> None:
    assert (read_zh(n), read_en(n)) == (zh, en)


@given(st.integers(1, 9999))
def test_every_window_number_reads_back_to_itself(n: int) -> None:
    assert value_of_zh(read_zh(n)) == n and value_of_en(read_en(n)) == n
    assert set(read_zh(n)) <= set(NUMBER_WORDS["zh"]) and set(read_en(n)) <= set(NUMBER_WORDS["en"])


queues = st.from_regex(r"\A[A-Z][A-Z0-9]{0,3}\Z")


@settings(max_examples=300)
@given(queue=queues, seq=st.integers(1, 99999), window=st.integers(1, 9999))
def test_every_call_is_said_with_clips_the_pack_has(queue: str, seq: int, window: int) -> None:
    manifest = default_manifest()
    ticket = ticket_number(queue, seq)
    segments = announcement(manifest, ticket, str(window), LANGUAGES)
    assert segments[0].lang is None and segments[0].clips == ("chime.opus",)
    assert [s.lang for s in segments[1:]] == list(LANGUAGES) * 2
    assert segments[1:4] == segments[4:7]  # said twice, the same way
    for segment in segments:
        for clip in segment.clips:
            assert (PACK / clip).is_file(), clip
    for segment in segments[1:4]:
        spoken = manifest.languages[str(segment.lang)]
        ticket_clips = [spoken.clips[c] for c in ticket]
        start = 1  # after "请" / "Number"
        assert list(segment.clips[start:start + len(ticket)]) == ticket_clips


def test_the_packaged_pack_is_small_and_every_file_is_listed() -> None:
    manifest = default_manifest()
    files = {p.relative_to(PACK).as_posix() for p in PACK.rglob("*.opus")}
    assert files == manifest.files()
    size = sum(p.stat().st_size for p in PACK.rglob("*") if p.is_file())
    assert size < 400 * 1024, size
    assert (PACK / "LICENSE").read_text("utf-8").count("GPL-3.0-or-later") >= 1


def _broken(change: str) -> dict:  # type: ignore[type-arg]
    data = json.loads((PACK / "manifest.json").read_text("utf-8"))
    english = data["languages"]["en"]
    if change == "no letter":
        del english["clips"]["Q"]
    elif change == "no tens word":
        del english["clips"]["70"]
    elif change == "climbing path":
        english["clips"]["number"] = "../../secret.opus"
    elif change == "no window":
        english["call"] = ["number", "{ticket}"]
    elif change == "no cantonese":
        del data["languages"]["yue"]
    elif change == "repeat ten":
        data["repeat"] = 10
    elif change == "unknown reader":
        english["numbers"] = "fr"
    return data


@pytest.mark.parametrize(("change", "message"), [
    ("no letter", "languages.en.clips lacks Q"),
    ("no tens word", "languages.en.clips lacks 70"),
    ("climbing path", "languages.en.clips must map names to files"),
    ("no window", "{window}"),
    ("no cantonese", "languages lacks yue"),
    ("repeat ten", "repeat must be 1, 2 or 3"),
    ("unknown reader", "languages.en.numbers"),
])
def test_a_manifest_that_cannot_say_every_call_is_refused_with_the_reason(change: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("{", r"\{").replace("}", r"\}")):
        parse_manifest(_broken(change), LANGUAGES)


def test_the_script_that_made_the_pack_is_in_the_repository() -> None:
    script = Path(__file__).resolve().parents[3] / "scripts" / "make_voice_pack.py"
    assert "espeak-ng" in script.read_text("utf-8") and "opusenc" in script.read_text("utf-8")


@pytest.mark.parametrize(("ticket", "window"),
                         [("B001\n", "15"), ("B001", "15\n"), ("B001 ", "15"), ("b001", "15")])
def test_a_call_that_is_not_a_whole_ticket_and_window_is_not_said(ticket: str, window: str) -> None:
    with pytest.raises(ValueError, match="cannot say"):
        announcement(default_manifest(), ticket, window, LANGUAGES)
