"""Write kiosk/handwriting/name_supplement.json: the stroke medians of name characters that the
tegaki Simplified Chinese model (GB2312 only) cannot recognise, for the kiosk to train a small
supplementary zinnia model from at first use.

    cd /tmp && npm pack hanzi-writer-data && mkdir hwd && tar xzf hanzi-writer-data-*.tgz -C hwd
    python scripts/build_name_supplement.py /tmp/hwd/package

The medians come from the npm package hanzi-writer-data (Make Me a Hanzi), under the Arphic Public
License: its ARPHICPL.TXT is copied beside the output. Characters the package does not hold, the
base model already knows, or the kiosk's fonts cannot draw are left out (and listed).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.flows.name_input import syllable_index  # noqa: E402
from kiosk.handwriting.supplement import DATA_FILE, DATA_FORMAT  # noqa: E402
from kiosk.handwriting.zinnia import DEFAULT_MODEL, Recognizer  # noqa: E402

# Characters met in given names that are outside GB2312; most are not in Make Me a Hanzi either.
NAME_CHARACTERS = (
    "喆镕堃玥珺赟燚垚犇彧祎甯璟瑨珏琤煊溱昇淏晞暐瑄嫚禛珮奭鹍玘玙珣珅焜骉芃褆頔琇琸瑢璠旻皞頫"
    "翀翙翚翾鹓堉崟峣"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="the extracted hanzi-writer-data package directory")
    args = parser.parse_args()
    with Recognizer(DEFAULT_MODEL) as base:
        known = base.characters()
    drawable = syllable_index().characters
    characters: dict[str, list[list[list[int]]]] = {}
    skipped: list[str] = []
    for char in dict.fromkeys(NAME_CHARACTERS):
        source = args.package / f"{char}.json"
        if char in known or char not in drawable or not source.is_file():
            skipped.append(char)
            continue
        characters[char] = json.loads(source.read_text("utf-8"))["medians"]
    data = {
        "format": DATA_FORMAT,
        "source": "hanzi-writer-data (Make Me a Hanzi), Arphic Public License: ARPHICPL.TXT",
        # Medians are in a 1024 box with y up; y on screen is 900 - y.
        "box": 1024,
        "top": 900,
        "characters": characters,
    }
    DATA_FILE.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    shutil.copyfile(args.package / "ARPHICPL.TXT", DATA_FILE.with_name("ARPHICPL.TXT"))
    print(f"{len(characters)} characters: {''.join(characters)}; left out: {''.join(skipped)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
