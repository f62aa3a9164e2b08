"""Write kiosk/flows/name_candidates.json: the pinyin syllable → characters table of the on-screen
name keyboard, for the characters the shipped CJK fonts can draw.

    python scripts/build_name_candidates.py            # rewrite the table
    python scripts/build_name_candidates.py --check    # exit 1 if the committed table is stale

Each syllable (tone-less, ü written v) lists its characters in three tiers: GB2312 level 1, level 2,
then the rest; inside a tier the characters used with that reading in more of pypinyin's phrases
come first. The kiosk loads this small file instead of pypinyin's dictionaries (tens of MB).

`given_names` lists, per syllable, the characters of given names read that way first, commonest in
names first: the counts of the MIT
licensed `ngender` package (charfreq.csv, characters of given names counted over a large list of
Chinese names, men and women added). General text is a poor guide to names: 喆 and 镕 are rare in
text but ordinary in names, and the kiosk leads each syllable's candidates with this order after the
surname. Characters seen in fewer than NAME_COUNT_FLOOR names are left out (noise, and file size).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FONTS = (ROOT / "gov_fonts/NotoSansCJKsc-Regular.otf", ROOT / "gov_fonts/NotoSansCJKsc-Bold.otf")
OUTPUT = ROOT / "kiosk/flows/name_candidates.json"
FORMAT = 2
NAME_COUNT_FLOOR = 20


def syllable(reading: str) -> str:
    """A toned reading as typed on the keyboard: marks dropped, ü as v (lǚ → lv)."""
    decomposed = unicodedata.normalize("NFD", reading.lower()).replace("u\u0308", "v")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def gb2312_level(char: str) -> int:
    """1 or 2 for the two levels of GB2312 hanzi, 3 for every other character."""
    try:
        encoded = char.encode("gb2312")
    except UnicodeEncodeError:
        return 3
    if len(encoded) != 2:
        return 3
    row = encoded[0]
    if 0xB0 <= row <= 0xD7:
        return 1
    if 0xD8 <= row <= 0xF7:
        return 2
    return 3


def is_ideograph(char: str) -> bool:
    # Compatibility ideographs normalise to unified ones and would show twice.
    return unicodedata.name(char, "").startswith("CJK UNIFIED IDEOGRAPH")


def drawable() -> set[int]:
    """Code points both shipped faces map to a glyph (names are also shown in bold)."""
    from fontTools.ttLib import TTFont

    covered: set[int] | None = None
    for path in FONTS:
        font = TTFont(str(path), lazy=True)
        try:
            cmap = set(font.getBestCmap())
        finally:
            font.close()
        covered = cmap if covered is None else covered & cmap
    return covered or set()


def name_counts() -> dict[str, int]:
    """Given-name characters and how many names hold them, from ngender's charfreq.csv (read as data:
    importing ngender would load its model)."""
    spec = importlib.util.find_spec("ngender")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("build_name_candidates: needs the ngender package (pip install -e '.[dev]')")
    path = Path(next(iter(spec.submodule_search_locations))) / "charfreq.csv"
    counts: dict[str, int] = {}
    with path.open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            char = row["char"]
            if len(char) == 1:
                counts[char] = int(row["male"]) + int(row["female"])
    return counts


def build() -> dict[str, object]:
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    # How often each character is read each way in pypinyin's phrases: the commonness of a reading.
    uses: Counter[tuple[str, str]] = Counter()
    for phrase, readings in phrases_dict.items():
        for char, options in zip(phrase, readings, strict=False):
            if options:
                uses[(char, syllable(options[0]))] += 1
    fonts = drawable()
    table: dict[str, list[tuple[int, int, int, str]]] = {}
    counts = name_counts()
    from opencc import OpenCC

    # Resident ID cards print simplified characters: a traditional form (榮 for 荣) does not lead.
    simplified = OpenCC("t2s").convert
    # Per syllable, the characters read that way first (青 is qing, not jing), commonest in names first.
    named: dict[str, list[str]] = {}
    for code, readings in pinyin_dict.items():
        char = chr(code)
        if code not in fonts or not is_ideograph(char):
            continue
        seen: set[str] = set()
        for order, reading in enumerate(readings.split(",")):
            key = syllable(reading)
            if not key.isascii() or not key.isalpha() or key in seen:
                continue
            seen.add(key)
            table.setdefault(key, []).append((gb2312_level(char), -uses[(char, key)], order, char))
            if order == 0 and counts.get(char, 0) >= NAME_COUNT_FLOOR and simplified(char) == char:
                named.setdefault(key, []).append(char)
    syllables: dict[str, list[str]] = {}
    for key in sorted(table):
        tiers = ["", "", ""]
        for level, _uses, _order, char in sorted(table[key], key=lambda item: (item[:3], ord(item[3]))):
            tiers[level - 1] += char
        syllables[key] = tiers
    given = {key: "".join(sorted(chars, key=lambda c: (-counts[c], ord(c))))
             for key, chars in sorted(named.items())}
    return {"format": FORMAT, "syllables": syllables, "given_names": given}


def render(data: dict[str, object]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed table")
    args = parser.parse_args(argv)
    text = render(build())
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.is_file() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run scripts/build_name_candidates.py")
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(text.encode())} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
