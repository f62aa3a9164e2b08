"""What a calling screen says for a call: the text in each announce language, and the voice pack's clips.

`say_texts(ticket, window, languages)` gives the words shown for deaf visitors (and spoken);
`parse_manifest(data)` reads a voice pack's manifest.json (ValueError naming the fault);
`announcement(manifest, ticket, window, languages)` lists the clips to play in order: the chime, then the
call in each language in turn, the whole round `repeat` times (twice by default).

A ticket is read character by character (B001: "B", "0", "0", "1", as halls say it); a window's number
is read as a number (15: 十五, "fifteen"), by the manifest's number reader for that language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

TICKET_PATTERN = re.compile(r"[A-Z][A-Z0-9]{0,7}[0-9]{1,6}")
WINDOW_PATTERN = re.compile(r"[1-9][0-9]{0,3}")
# Written Cantonese reads the same characters as the hall's traditional-character signs.
SAY = {
    "zh-Hans": "请{ticket}号到{window}号窗口办理",
    "yue": "請{ticket}號到{window}號窗口辦理",
    "en": "Number {ticket}, please go to window {window}",
}
NUMBER_READERS = ("zh", "en")
CLIP_FILE = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)?\.(opus|ogg|mp3|wav)")
_CLIP_NAME = re.compile(r"[A-Za-z0-9_]{1,40}")
_TICKET_CHARS = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + [str(d) for d in range(10)]
_EN_WORDS = [str(n) for n in range(1, 20)] + [str(n) for n in range(20, 100, 10)] + ["100", "1000", "and"]
NUMBER_WORDS = {"zh": [str(d) for d in range(10)] + ["10", "100", "1000"], "en": _EN_WORDS}


def say_texts(ticket: str, window: str, languages: Iterable[str]) -> dict[str, str]:
    """The sentence of a call in each of ``languages``, in their order."""
    return {lang: SAY[lang].format(ticket=ticket, window=window) for lang in languages}


def read_zh(n: int) -> list[str]:
    """Clip names of ``n`` (1-9999) read in Chinese: 15 → 十五, 105 → 一百零五, 1010 → 一千零一十."""
    if not 1 <= n <= 9999:
        raise ValueError(f"window numbers are 1-9999, not {n}")
    if n < 10:
        return [str(n)]
    if n < 20:
        return ["10"] + ([str(n - 10)] if n > 10 else [])
    words: list[str] = []
    places = ((1000, "1000"), (100, "100"), (10, "10"), (1, ""))
    gap = False
    for value, word in places:
        digit = n // value % 10
        if digit == 0:
            gap = bool(words)
            continue
        if gap:
            words.append("0")
            gap = False
        words.append(str(digit))
        if word:
            words.append(word)
    return words


def read_en(n: int) -> list[str]:
    """Clip names of ``n`` (1-9999) read in English: 15 → fifteen, 105 → one hundred and five."""
    if not 1 <= n <= 9999:
        raise ValueError(f"window numbers are 1-9999, not {n}")
    words: list[str] = []
    if n >= 1000:
        words += [str(n // 1000), "1000"]
    if n % 1000 >= 100:
        words += [str(n // 100 % 10), "100"]
    rest = n % 100
    if rest:
        if words:
            words.append("and")
        if rest < 20:
            words.append(str(rest))
        else:
            words.append(str(rest // 10 * 10))
            if rest % 10:
                words.append(str(rest % 10))
    return words


READERS = {"zh": read_zh, "en": read_en}


@dataclass(frozen=True)
class SpokenLanguage:
    """How a pack says a call in one language: its number reader, the call's parts, and its clips."""

    numbers: str
    call: tuple[str, ...]
    clips: Mapping[str, str]


@dataclass(frozen=True)
class VoiceManifest:
    """A voice pack's manifest: the chime, how often a call is said, and each language it speaks."""

    name: str
    chime: str
    repeat: int
    languages: Mapping[str, SpokenLanguage]

    def files(self) -> set[str]:
        return {self.chime} | {f for spoken in self.languages.values() for f in spoken.clips.values()}


@dataclass(frozen=True)
class Segment:
    """Clips played one after another; ``lang`` is None for the chime."""

    lang: str | None
    clips: tuple[str, ...]


def _language(lang: str, data: Any) -> SpokenLanguage:
    if not isinstance(data, dict) or set(data) != {"numbers", "call", "clips"}:
        raise ValueError(f"languages.{lang} needs numbers, call and clips")
    numbers, call, clips = data["numbers"], data["call"], data["clips"]
    if numbers not in NUMBER_READERS:
        raise ValueError(f"languages.{lang}.numbers must be one of {NUMBER_READERS}")
    if not isinstance(clips, dict) or not all(
        isinstance(k, str) and _CLIP_NAME.fullmatch(k) and isinstance(v, str) and CLIP_FILE.fullmatch(v)
        for k, v in clips.items()
    ):
        raise ValueError(f"languages.{lang}.clips must map names to files such as \"{lang}/qing.opus\"")
    if (
        not isinstance(call, list)
        or call.count("{ticket}") != 1
        or call.count("{window}") != 1
        or not all(isinstance(part, str) for part in call)
    ):
        raise ValueError(f"languages.{lang}.call must be a list of clip names with {{ticket}} and {{window}}")
    needed = [p for p in call if p not in ("{ticket}", "{window}")] + _TICKET_CHARS + NUMBER_WORDS[numbers]
    missing = sorted(set(needed) - set(clips))
    if missing:
        raise ValueError(f"languages.{lang}.clips lacks {', '.join(missing[:8])}")
    return SpokenLanguage(numbers, tuple(call), MappingProxyType(dict(clips)))


def parse_manifest(data: Any, languages: Iterable[str]) -> VoiceManifest:
    """A manifest.json's content; every language of ``languages`` (those it may be asked to speak) must
    be there with every clip a call can need."""
    if not isinstance(data, dict) or not {"name", "chime", "languages"} <= set(data):
        raise ValueError("manifest.json needs name, chime and languages")
    name, chime, repeat = data["name"], data["chime"], data.get("repeat", 2)
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_-]{1,32}", name):
        raise ValueError("name must be a short name such as \"default\"")
    if not isinstance(chime, str) or not CLIP_FILE.fullmatch(chime):
        raise ValueError("chime must be a file such as \"chime.opus\"")
    if not isinstance(repeat, int) or isinstance(repeat, bool) or not 1 <= repeat <= 3:
        raise ValueError("repeat must be 1, 2 or 3")
    spoken = data["languages"]
    if not isinstance(spoken, dict):
        raise ValueError("languages must be a table of languages")
    missing = [lang for lang in languages if lang not in spoken]
    if missing:
        raise ValueError(f"languages lacks {', '.join(missing)}")
    parsed = {lang: _language(lang, value) for lang, value in spoken.items()}
    return VoiceManifest(name, chime, repeat, MappingProxyType(parsed))


def spoken_clips(spoken: SpokenLanguage, ticket: str, window: str) -> tuple[str, ...]:
    """The files that say one call once in one language."""
    if not TICKET_PATTERN.fullmatch(ticket) or not WINDOW_PATTERN.fullmatch(window):
        raise ValueError(f"cannot say ticket {ticket!r} at window {window!r}")
    names: list[str] = []
    for part in spoken.call:
        if part == "{ticket}":
            names.extend(ticket)
        elif part == "{window}":
            names.extend(READERS[spoken.numbers](int(window)))
        else:
            names.append(part)
    return tuple(spoken.clips[name] for name in names)


def announcement(
    manifest: VoiceManifest, ticket: str, window: str, languages: Iterable[str]
) -> list[Segment]:
    """The chime, then the call in each language in turn, the round said ``repeat`` times."""
    said = [Segment(lang, spoken_clips(manifest.languages[lang], ticket, window)) for lang in languages]
    return [Segment(None, (manifest.chime,))] + said * manifest.repeat
