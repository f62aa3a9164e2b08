"""A small supplementary zinnia model for name characters outside GB2312 (喆, 镕, …), which the
tegaki model cannot answer with: trained at first use from the stroke medians shipped beside this
module, with jittered copies so that it takes more than the one exact drawing."""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from pathlib import Path

from kiosk.handwriting.zinnia import HandwritingUnavailable, Recognizer, Stroke, train

# Written by scripts/build_name_supplement.py from hanzi-writer-data (Arphic Public License).
DATA_FILE = Path(__file__).with_name("name_supplement.json")
DATA_FORMAT = 1
# The supplement's SVM scores a character it was trained on 0.75-1.2 when written (jittered copies
# held out from training); of 400 GB2312 characters drawn from Make Me a Hanzi, 2 scored 0.6 or
# more and none 0.8. Below this its answers are not shown.
MIN_SCORE = 0.6
# Jittered copies of each character, and their seed: the model is the same on every kiosk.
COPIES = 20
SEED = 1


def load_medians(path: Path = DATA_FILE) -> dict[str, list[list[tuple[float, float]]]]:
    """Each character's strokes, y down, in the data file's box."""
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("format") != DATA_FORMAT:
            raise ValueError(f"not format {DATA_FORMAT}")
        top = float(data["top"])
        return {char: [[(float(x), top - float(y)) for x, y in stroke] for stroke in strokes]
                for char, strokes in data["characters"].items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise HandwritingUnavailable(f"cannot read {path.name}: {exc}") from exc


def box_of(path: Path = DATA_FILE) -> int:
    try:
        return int(json.loads(path.read_text("utf-8"))["box"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise HandwritingUnavailable(f"cannot read {path.name}: {exc}") from exc


def jittered(strokes: list[list[tuple[float, float]]], box: float,
             rnd: random.Random) -> list[list[tuple[float, float]]]:
    """The character slanted, squeezed, moved and shaken a little, as hands do."""
    a, d = 1 + rnd.uniform(-0.12, 0.12), 1 + rnd.uniform(-0.12, 0.12)
    b, c = rnd.uniform(-0.12, 0.12), rnd.uniform(-0.12, 0.12)
    shift_x, shift_y = rnd.uniform(-0.06, 0.06) * box, rnd.uniform(-0.06, 0.06) * box
    noise = box * 0.012
    half = box / 2
    moved = []
    for stroke in strokes:
        points = []
        for x, y in stroke:
            dx, dy = x - half, y - half
            nx = a * dx + b * dy + half + shift_x + rnd.gauss(0, noise)
            ny = c * dx + d * dy + half + shift_y + rnd.gauss(0, noise)
            points.append((min(max(nx, 0.0), box - 1), min(max(ny, 0.0), box - 1)))
        moved.append(points)
    return moved


def samples(medians: dict[str, list[list[tuple[float, float]]]], box: float,
            copies: int = COPIES, seed: int = SEED) -> list[tuple[str, list[Stroke]]]:
    rnd = random.Random(seed)
    found: list[tuple[str, list[Stroke]]] = []
    for char, strokes in medians.items():
        found.append((char, list(strokes)))
        found.extend((char, list(jittered(strokes, box, rnd))) for _copy in range(copies))
    return found


def open_supplement(library: str = "", path: Path = DATA_FILE) -> Recognizer:
    """Train the supplement (about 0.1 s) and open it; no file is left behind."""
    medians = load_medians(path)
    if not medians:
        raise HandwritingUnavailable(f"{path.name} holds no characters")
    box = box_of(path)
    workdir = Path(tempfile.mkdtemp(prefix="kiosk-handwriting-"))
    try:
        model = workdir / "name_supplement.model"
        train(samples(medians, box), box, box, model, library)
        return Recognizer(model, library)
    finally:
        # zinnia has read the model into memory (or keeps it mapped): the file can go.
        shutil.rmtree(workdir, ignore_errors=True)
