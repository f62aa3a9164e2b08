"""A site's service windows and its calling-screen settings, read from the site rules' TOML.

`parse_windows(entries, queues) -> tuple[Window, ...]` reads `[[windows]]`; `parse_floor(table) -> Floor`
reads `[floor]`. Both raise ValueError with a message naming the entry; `parse_site_text` turns that into
`SiteRulesError("site_rules_invalid")`.

A window serves queues in the order given: call-next takes from the first queue that has someone waiting
(through the one ordering function), then the next. Under the 一窗综合受理 reform a hall's zone runs
comprehensive windows that take every service of its queue, so a queue's windows are where its tickets
send people; the catalogue's "where" names those windows (a data test keeps the two the same).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

LANGUAGES = ("zh-Hans", "zh-Hant", "en")
# Languages a calling screen may announce in: the kiosk's three, and Cantonese as spoken (yue).
ANNOUNCE_LANGUAGES = ("zh-Hans", "yue", "en")
# fullmatch, not match with "$": "$" also matches before a final newline, so "15\n" would pass.
_NUMBER = re.compile(r"[1-9][0-9]{0,3}")
_RANGE = re.compile(r"([1-9][0-9]{0,3})-([1-9][0-9]{0,3})")
_QUEUE = re.compile(r"[A-Z][A-Z0-9]{0,7}")
_WINDOW_KEYS = {"number", "numbers", "area", "name", "queues", "open"}


@dataclass(frozen=True)
class Window:
    """One service window (窗口): its number as painted above it, its area, and the queues it serves."""

    number: str
    areas: Mapping[str, str]
    names: Mapping[str, str]
    queues: tuple[str, ...]
    open: bool = True

    def area(self, lang: str = "zh-Hans") -> str:
        return self.areas.get(lang, self.areas["zh-Hans"])

    def name(self, lang: str = "zh-Hans") -> str:
        return self.names.get(lang, self.names["zh-Hans"])


@dataclass(frozen=True)
class Floor:
    """What the calling screens of a site say: the languages they announce in turn, and a notice line."""

    announce: tuple[str, ...] = ("zh-Hans",)
    notices: Mapping[str, str] = field(default_factory=dict)
    voice_pack: str = "default"

    def notice(self, lang: str = "zh-Hans") -> str:
        return self.notices.get(lang, self.notices.get("zh-Hans", ""))


def _names(value: Any, what: str) -> Mapping[str, str]:
    if not isinstance(value, dict) or any(not isinstance(value.get(lang), str) for lang in LANGUAGES):
        raise ValueError(f"{what} needs zh-Hans, zh-Hant and en")
    return MappingProxyType({lang: value[lang] for lang in LANGUAGES})


def _numbers(entry: Mapping[str, Any]) -> list[str]:
    if ("number" in entry) == ("numbers" in entry):
        raise ValueError('each [[windows]] needs number = "15" or numbers = "1-14"')
    if "number" in entry:
        number = entry["number"]
        if not isinstance(number, str) or not _NUMBER.fullmatch(number):
            raise ValueError(f'window number {number!r} must be digits such as "15"')
        return [number]
    span = entry["numbers"]
    match = _RANGE.fullmatch(span) if isinstance(span, str) else None
    if match is None or int(match[1]) > int(match[2]):
        raise ValueError(f'window numbers {span!r} must be a range such as "1-14"')
    return [str(n) for n in range(int(match[1]), int(match[2]) + 1)]


def parse_windows(entries: Any, queues: Iterable[str]) -> tuple[Window, ...]:
    """The `[[windows]]` of a site; every queue named must be one the site's sessions staff."""
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise ValueError("[[windows]] must be an array of tables")
    known = set(queues)
    windows: list[Window] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValueError("each [[windows]] must be a table")
        unknown = set(entry) - _WINDOW_KEYS
        if unknown:
            raise ValueError(f"unknown window field(s) {sorted(unknown)}")
        numbers = _numbers(entry)
        what = f"window {numbers[0]}" if len(numbers) == 1 else f"windows {entry['numbers']}"
        served = entry.get("queues")
        if (
            not isinstance(served, list)
            or not served
            or not all(isinstance(q, str) and _QUEUE.fullmatch(q) for q in served)
            or len(set(served)) != len(served)
        ):
            raise ValueError(f"{what}: queues must be a list of distinct queue prefixes such as [\"A\"]")
        if not set(served) <= known:
            raise ValueError(f"{what}: queue(s) {sorted(set(served) - known)} are not staffed in any session")
        is_open = entry.get("open", True)
        if not isinstance(is_open, bool):
            raise ValueError(f"{what}: open must be true or false")
        areas = _names(entry.get("area"), f"{what} area")
        names = _names(entry.get("name"), f"{what} name")
        windows.extend(Window(n, areas, names, tuple(served), is_open) for n in numbers)
    seen: set[str] = set()
    for window in windows:
        if window.number in seen:
            raise ValueError(f"window {window.number} is listed twice")
        seen.add(window.number)
    return tuple(sorted(windows, key=lambda w: int(w.number)))


def parse_floor(table: Any) -> Floor:
    """The `[floor]` table: `announce` languages (Mandarin first), a `notice` line, a `voice_pack` name."""
    if table is None:
        return Floor()
    if not isinstance(table, dict) or set(table) - {"announce", "notice", "voice_pack"}:
        raise ValueError("[floor] takes announce, notice and voice_pack")
    announce = table.get("announce", ["zh-Hans"])
    if (
        not isinstance(announce, list)
        or not announce
        or any(lang not in ANNOUNCE_LANGUAGES for lang in announce)
        or len(set(announce)) != len(announce)
    ):
        raise ValueError(f"[floor] announce must list distinct languages of {ANNOUNCE_LANGUAGES}")
    notices = _names(table["notice"], "[floor] notice") if "notice" in table else MappingProxyType({})
    pack = table.get("voice_pack", "default")
    if not isinstance(pack, str) or not re.fullmatch(r"[a-z0-9_-]{1,32}", pack):
        raise ValueError("[floor] voice_pack must be a short name such as \"default\"")
    return Floor(tuple(announce), notices, pack)
