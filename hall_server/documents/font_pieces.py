"""The CJK font cut into pieces by how common its characters are, so a certificate embeds a subset fast.

Subsetting the whole Noto Sans CJK font (65,000 glyphs) costs seconds on every document, because the
subsetter walks every glyph. A piece of a few thousand glyphs costs a tenth of that. The first piece
holds the characters nearly every certificate uses (ASCII, punctuation, GB 2312 level 1, the
certificate's fixed words); the others, a thousand characters each, hold the rest of GB 2312, Big5
level 1 and then everything else in code point order, so a rare name character (䶮) pulls in one
small piece more and is still drawn from the same font. Pieces are cut on first need and kept in a
cache directory; cutting one is a subset of the full font, done once per machine.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from fontTools import subset
from fontTools.ttLib import TTFont

import gov_fonts

REGULAR_FONT = gov_fonts.REGULAR
BOLD_FONT = gov_fonts.BOLD
# Bump when the way pieces are cut changes, so old caches are not read as new ones.
_CUT_VERSION = "4"
_REST_PIECE_SIZE = 1000


def _gb2312(first_row: int, last_row: int) -> set[int]:
    found: set[int] = set()
    for hi in range(first_row, last_row + 1):
        for lo in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes((hi, lo)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


def _big5_level1() -> set[int]:
    found: set[int] = set()
    for hi in range(0xA4, 0xC7):
        for lo in [*range(0x40, 0x7F), *range(0xA1, 0xFF)]:
            try:
                found.add(ord(bytes((hi, lo)).decode("big5")))
            except UnicodeDecodeError:
                continue
    return found


def _common() -> set[int]:
    ranges = [(0x20, 0x17F), (0x2000, 0x206F), (0x2100, 0x218F), (0x2460, 0x24FF), (0x3000, 0x303F),
              (0xFF00, 0xFFEF), (0x25A0, 0x25FF)]
    chars = {cp for low, high in ranges for cp in range(low, high + 1)}
    return chars | _gb2312(0xB0, 0xD7)


def cut_plan(covered: Iterable[int], extra_common: Iterable[int] = ()) -> list[frozenset[int]]:
    """The code points of each piece, the most common first; every covered code point is in one piece."""
    left = set(covered)
    first = frozenset((_common() | set(extra_common)) & left)
    left -= first
    plan = [first]
    # The others are small, so a rare character costs the embedding of a small piece only.
    for group in (_gb2312(0xD8, 0xF7), _big5_level1(), set(left)):
        ordered = sorted(group & left)
        left -= set(ordered)
        for start in range(0, len(ordered), _REST_PIECE_SIZE):
            plan.append(frozenset(ordered[start:start + _REST_PIECE_SIZE]))
    return plan


class Warmed(NamedTuple):
    """What ``warm`` did: how many of the pieces it wanted it had to cut (the others were cached)."""

    cut: int
    wanted: int


@dataclass(frozen=True)
class Piece:
    index: int
    path: Path
    codepoints: frozenset[int]


class PiecedFont:
    """One font file as pieces; ``pieces_for(text)`` cuts (or finds in the cache) what ``text`` needs."""

    def __init__(self, source: Path, cache_dir: Path, *, extra_common: Iterable[int] = ()) -> None:
        self.source = source
        # Keyed by the font's content, not its path or mtime: a fresh checkout or an upgrade that installs the
        # same file again finds its pieces (reading 17 MB: about 30 ms, once a process).
        with source.open("rb") as font_file:
            content = hashlib.file_digest(font_file, "sha256").hexdigest()
        wanted = f"{_CUT_VERSION}:{content}:{sorted(set(extra_common))}"
        key = hashlib.sha256(wanted.encode()).hexdigest()[:16]
        self.cache_dir = cache_dir / f"{source.stem}-{key}"
        font = TTFont(str(source), lazy=True)
        try:
            covered = set(font.getBestCmap())
        finally:
            font.close()
        plan = cut_plan(covered, extra_common)
        self.pieces = [Piece(i, self.cache_dir / f"piece-{i:02d}.otf", cps) for i, cps in enumerate(plan)]
        self._lock = threading.Lock()

    def covers(self, char: str) -> bool:
        return any(ord(char) in piece.codepoints for piece in self.pieces)

    def pieces_for(self, text: str) -> list[Piece]:
        """The pieces holding ``text``'s characters (always the first), cut now if not yet cached."""
        wanted = {ord(c) for c in text}
        chosen = [p for p in self.pieces if p.index == 0 or wanted & p.codepoints]
        for piece in chosen:
            self._ensure(piece)
        return chosen

    def warm(self, count: int = 1) -> Warmed:
        """Cut the first ``count`` pieces ahead of the first certificate, those not cached yet."""
        first = self.pieces[:count]
        return Warmed(cut=sum(self._ensure(piece) for piece in first), wanted=len(first))

    def _ensure(self, piece: Piece) -> bool:
        """Cut ``piece`` unless it is cached (here or by another process); whether it was cut now."""
        if piece.path.is_file():
            return False
        with self._lock:
            if piece.path.is_file():
                return False
            self._cut(piece)
            return True

    def _cut(self, piece: Piece) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        font = TTFont(str(self.source), lazy=True)
        try:
            # Without subroutines, subsetting a piece per document needs no walk through shared
            # subroutines (it was a quarter of a certificate's time); each glyph gets a little longer.
            options = subset.Options(notdef_outline=True, name_IDs=["*"], name_languages=["*"],
                                     layout_features=[], hinting=True, glyph_names=False, desubroutinize=True)
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=sorted(piece.codepoints))
            subsetter.subset(font)
            # Written beside the target and renamed: another process cutting the same piece at the same
            # time leaves a whole file either way.
            handle, temp = tempfile.mkstemp(dir=self.cache_dir, suffix=".otf.part")
            os.close(handle)
            font.save(temp)
            os.replace(temp, piece.path)
        finally:
            font.close()
