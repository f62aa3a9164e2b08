"""Typing a name on the kiosk's own keyboard: pinyin letters to candidate characters, candidate
pages, and the composing state (pending letters, the name so far, pinyin, Latin or handwriting
mode)."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

# Written by scripts/build_name_candidates.py: syllable → characters the shipped fonts can draw.
DATA_FILE = Path(__file__).with_name("name_candidates.json")
DATA_FORMAT = 2

PINYIN = "pinyin"
LATIN = "latin"
HANDWRITING = "handwriting"
MODES = (PINYIN, LATIN, HANDWRITING)

# The longest pinyin syllables (zhuang, chuang, shuang) have six letters.
MAX_LETTERS = 6
# Longer than any name on a resident or permanent-residence card.
MAX_NAME_LENGTH = 30
# Joins the parts of a transcribed name (买买提·艾力); Latin names use space and hyphen.
NAME_DOT = "·"

# The most common Chinese surnames, commonest first, each with its reading as a surname
# (单 is shan, 曾 zeng, 覃 qin as family names).
_SURNAMES = """
wang王 li李 zhang张 liu刘 chen陈 yang杨 huang黄 zhao赵 wu吴 zhou周 xu徐 sun孙 ma马 zhu朱 hu胡
guo郭 he何 lin林 luo罗 gao高 zheng郑 liang梁 xie谢 song宋 tang唐 xu许 han韩 deng邓 feng冯 cao曹
peng彭 zeng曾 xiao肖 tian田 dong董 pan潘 yuan袁 cai蔡 jiang蒋 yu余 yu于 du杜 ye叶 cheng程 wei魏
su苏 lv吕 ding丁 ren任 lu卢 yao姚 shen沈 zhong钟 jiang姜 cui崔 tan谭 lu陆 fan范 wang汪 liao廖
shi石 jin金 wei韦 jia贾 xia夏 fu付 fang方 zou邹 xiong熊 bai白 meng孟 qin秦 qiu邱 hou侯 jiang江
yin尹 xue薛 yan闫 duan段 lei雷 long龙 li黎 shi史 tao陶 he贺 mao毛 hao郝 gu顾 gong龚 shao邵
wan万 qin覃 wu武 qian钱 dai戴 yan严 mo莫 kong孔 xiang向 chang常 tang汤 kang康 yi易 qiao乔
lai赖 wen文 shi施 hong洪 xin辛 ke柯 zhuang庄 ge葛 shan单 ou欧 niu牛 yan颜 fu傅 gan甘 qi齐 zhang章 lu鲁
bi毕 xing邢 an安 yin殷 luo骆 ni倪 wen温 geng耿 ji纪 shu舒 yu俞 guan关 mei梅 pang庞 ruan阮
"""
SURNAMES: tuple[tuple[str, str], ...] = tuple(
    (token[:-1], token[-1]) for token in _SURNAMES.split()
)

class NameInputError(ValueError):
    """A key or a choice the keyboard cannot take; ``code`` is stable for the UI and logs."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class NameDataError(RuntimeError):
    """The candidate table is missing or malformed (a broken install, not the citizen's doing)."""

    code = "name_data_invalid"


def _dedupe(chars: Sequence[str]) -> str:
    return "".join(dict.fromkeys(chars))


class SyllableIndex:
    """Tone-less pinyin syllables (ü typed v) and their characters, in three tiers each: GB2312
    level 1, level 2, the rest (the generator orders each tier by use)."""

    def __init__(self, syllables: Mapping[str, Sequence[str]],
                 given_names: Mapping[str, str] | None = None) -> None:
        self._tiers: dict[str, tuple[str, ...]] = {}
        for syllable, tiers in syllables.items():
            if not (isinstance(syllable, str) and syllable.isascii() and syllable.isalpha()
                    and syllable.islower() and len(syllable) <= MAX_LETTERS):
                raise NameDataError(f"not a pinyin syllable: {syllable!r}")
            if not (isinstance(tiers, list | tuple) and all(isinstance(tier, str) for tier in tiers)):
                raise NameDataError(f"malformed entry for {syllable!r}")
            self._tiers[syllable] = tuple(tiers)
        # Every beginning of a syllable, so a key that leads nowhere can be refused (and dimmed).
        self._prefixes = frozenset(s[:end] for s in self._tiers for end in range(len(s) + 1))
        self._surnames = tuple((s, char) for s, char in SURNAMES if char in "".join(self._tiers.get(s, ())))
        # Per syllable, the characters that names hold, commonest in names first: after the surname
        # they lead (伟 before 为 位 未; 喆 on zhe's first page, not behind 堵 庶 斥).
        self._given = dict(given_names or {})
        # Kept as str (a few bytes a character), not tuples of one-character str objects.
        self.candidates = lru_cache(maxsize=16)(self._candidates)
        self._characters: frozenset[str] | None = None

    @classmethod
    def load(cls, path: Path = DATA_FILE) -> SyllableIndex:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise NameDataError(f"cannot read {path.name}: {exc}") from exc
        if not isinstance(data, dict) or data.get("format") != DATA_FORMAT:
            raise NameDataError(f"{path.name} is not a format {DATA_FORMAT} candidate table")
        syllables = data.get("syllables")
        if not isinstance(syllables, dict):
            raise NameDataError(f"{path.name} has no syllables")
        given = data.get("given_names", {})
        if not isinstance(given, dict) or not all(isinstance(v, str) for v in given.values()):
            raise NameDataError(f"{path.name} has a malformed given_names table")
        return cls(syllables, given)

    @property
    def syllables(self) -> frozenset[str]:
        return frozenset(self._tiers)

    @property
    def characters(self) -> frozenset[str]:
        """Every character of the table: the ones the kiosk's fonts can draw."""
        if self._characters is None:
            self._characters = frozenset("".join("".join(tiers) for tiers in self._tiers.values()))
        return self._characters

    def is_prefix(self, letters: str) -> bool:
        """True if some syllable starts with ``letters`` (the empty string included)."""
        return letters in self._prefixes

    def next_letters(self, letters: str) -> frozenset[str]:
        """The letters that may follow ``letters`` and still begin a syllable."""
        wanted = len(letters) + 1
        return frozenset(p[-1] for p in self._prefixes if len(p) == wanted and p.startswith(letters))

    def _candidates(self, letters: str, first: bool = False) -> str:
        """Every character for ``letters``: the exact syllable first, then the longer syllables that
        begin with them, tier by tier. For the first character of a name the common surnames lead,
        for the others the characters common in given names."""
        if not letters or not self.is_prefix(letters):
            return ""
        exact = "".join(self._tiers.get(letters, ()))
        longer = sorted((s for s in self._tiers if s.startswith(letters) and s != letters),
                        key=lambda s: (len(s), s))
        order: list[str] = []
        if first:
            order.extend(char for s, char in self._surnames if s == letters)
        else:
            order.extend(self._given.get(letters, ""))
        order.extend(exact)
        if first:
            order.extend(char for s, char in self._surnames if s != letters and s.startswith(letters))
        for tier in range(3):
            for syllable in longer:
                tiers = self._tiers[syllable]
                if tier < len(tiers):
                    order.extend(tiers[tier])
        return _dedupe(order)


_index: SyllableIndex | None = None
_index_lock = threading.Lock()


def syllable_index() -> SyllableIndex:
    """The shared index, read from the data file at first use."""
    global _index
    if _index is None:
        with _index_lock:
            if _index is None:
                _index = SyllableIndex.load()
    return _index


class NameComposer:
    """What the citizen has typed: ``name`` (committed) and ``letters`` (pinyin not yet turned into
    a character), the mode, and which page of candidates shows. Keys that make no sense now (a
    letter that begins no syllable, a second space) are ignored and return False."""

    def __init__(self, index: SyllableIndex | None = None, page_size: int = 7,
                 max_length: int = MAX_NAME_LENGTH) -> None:
        if page_size < 1 or max_length < 1:
            raise ValueError("page_size and max_length must be positive")
        self._index = index
        self.page_size = page_size
        self.max_length = max_length
        self.name = ""
        self.letters = ""
        self.mode = PINYIN
        self.page = 0

    @property
    def index(self) -> SyllableIndex:
        if self._index is None:
            self._index = syllable_index()
        return self._index

    # -- what shows --

    @property
    def full(self) -> bool:
        return len(self.name) >= self.max_length

    @property
    def candidates(self) -> str:
        if self.mode != PINYIN or not self.letters:
            return ""
        return self.index.candidates(self.letters, not self.name)

    @property
    def page_count(self) -> int:
        return -(-len(self.candidates) // self.page_size)

    def page_candidates(self) -> str:
        start = self.page * self.page_size
        return self.candidates[start:start + self.page_size]

    @property
    def has_more(self) -> bool:
        return self.page + 1 < self.page_count

    @property
    def has_previous(self) -> bool:
        return self.page > 0

    def allowed_letters(self) -> frozenset[str]:
        """Letters a key press would take now (every letter in Latin mode, none in handwriting)."""
        if self.full or self.mode == HANDWRITING:
            return frozenset()
        if self.mode == LATIN:
            return frozenset("abcdefghijklmnopqrstuvwxyz")
        if len(self.letters) >= MAX_LETTERS:
            return frozenset()
        return self.index.next_letters(self.letters)

    # -- keys --

    def type_letter(self, letter: str) -> bool:
        if len(letter) != 1 or not ("a" <= letter.lower() <= "z"):
            raise NameInputError("not_a_letter", f"not a letter key: {letter!r}")
        letter = letter.lower()
        if letter not in self.allowed_letters():
            return False
        if self.mode == LATIN:
            self.name += letter.upper()
        else:
            self.letters += letter
            self.page = 0
        return True

    def choose(self, char: str) -> bool:
        """Append a candidate of the current letters to the name and clear the letters."""
        if len(char) != 1 or char not in self.candidates:
            raise NameInputError("not_a_candidate", "not a candidate for the letters typed")
        if self.full:
            return False
        self.name += char
        self.letters = ""
        self.page = 0
        return True

    def write(self, char: str) -> bool:
        """Append a handwritten character (a candidate of the handwriting pad), as ``choose``
        appends one of the pinyin candidates."""
        if len(char) != 1 or char not in self.index.characters:
            raise NameInputError("not_a_candidate", "not a character the keyboard can show")
        if self.full:
            return False
        self.name += char
        self.letters = ""
        self.page = 0
        return True

    def more(self) -> bool:
        if not self.has_more:
            return False
        self.page += 1
        return True

    def previous(self) -> bool:
        if not self.has_previous:
            return False
        self.page -= 1
        return True

    def separator(self, mark: str) -> bool:
        """``·`` between the parts of a transcribed name (pinyin mode); space or hyphen between the
        parts of a Latin name. Never first, never twice, never while letters wait for a choice."""
        if not self.accepts_separator(mark):
            return False
        self.name += mark
        return True

    def accepts_separator(self, mark: str) -> bool:
        """True if ``separator(mark)`` would add the mark now (so its key can show as enabled)."""
        if len(mark) != 1 or mark not in NAME_DOT + " -":
            raise NameInputError("not_a_separator", f"not a separator key: {mark!r}")
        # Handwriting is for Chinese names, which join their parts with the dot as pinyin does.
        allowed = " -" if self.mode == LATIN else NAME_DOT
        if mark not in allowed or self.letters or not self.name or self.full:
            return False
        return self.name[-1] not in NAME_DOT + " -"

    def erase(self) -> bool:
        """The last pending letter first, then the last character of the name."""
        if self.letters:
            self.letters = self.letters[:-1]
            self.page = 0
            return True
        if self.name:
            self.name = self.name[:-1]
            return True
        return False

    def clear(self) -> None:
        self.name = ""
        self.letters = ""
        self.page = 0

    def set_mode(self, mode: str) -> None:
        """Switch pinyin/Latin/handwriting; letters waiting for a choice are dropped, the name
        stays."""
        if mode not in MODES:
            raise NameInputError("unknown_mode", f"unknown keyboard mode: {mode!r}")
        if mode != self.mode:
            self.mode = mode
            self.letters = ""
            self.page = 0

    def finished_name(self) -> str:
        """The name to submit: no trailing separator or space."""
        return self.name.strip().rstrip(NAME_DOT + " -").strip()
