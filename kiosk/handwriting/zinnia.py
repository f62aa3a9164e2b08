"""A ctypes binding of libzinnia, the offline handwriting recogniser: strokes in, the model's best
candidate characters out; and its trainer, which writes a model from labelled strokes."""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

# Debian's libzinnia0 (find_library finds it only where the unversioned dev link exists).
DEFAULT_LIBRARY = "/usr/lib/x86_64-linux-gnu/libzinnia.so.0"
# Debian's tegaki-zinnia-simplified-chinese: GB2312's 6,763 characters.
DEFAULT_MODEL = "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model"

# More than any character has (齉 has 36): a longer list is a scribble, not a character.
MAX_STROKES = 64
# zinnia keeps int coordinates; a box much bigger than a screen is a caller's mistake.
MAX_SIDE = 100_000
MAX_CANDIDATES = 100

Stroke = Sequence[tuple[float, float]]


class HandwritingUnavailable(RuntimeError):
    """The library or the model cannot be loaded: the kiosk hides handwriting, nothing else."""

    code = "handwriting_unavailable"


class HandwritingInputError(ValueError):
    """Strokes or a box the recogniser cannot take (not a number, no box)."""

    code = "handwriting_bad_strokes"


@dataclass(frozen=True)
class Candidate:
    char: str
    # zinnia's SVM score: higher is better, comparable only within one classify.
    score: float


def _bind(lib: ctypes.CDLL) -> ctypes.CDLL:
    """Declare the C signatures (zinnia.h) so ctypes passes pointers and size_t whole."""
    ptr, size, text = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p
    signatures: dict[str, tuple[list[Any], Any]] = {
        "zinnia_recognizer_new": ([], ptr),
        "zinnia_recognizer_destroy": ([ptr], None),
        "zinnia_recognizer_open": ([ptr, text], ctypes.c_int),
        "zinnia_recognizer_close": ([ptr], ctypes.c_int),
        "zinnia_recognizer_strerror": ([ptr], text),
        "zinnia_recognizer_size": ([ptr], size),
        "zinnia_recognizer_value": ([ptr, size], text),
        "zinnia_recognizer_classify": ([ptr, ptr, size], ptr),
        "zinnia_character_new": ([], ptr),
        "zinnia_character_destroy": ([ptr], None),
        "zinnia_character_set_width": ([ptr, size], None),
        "zinnia_character_set_height": ([ptr, size], None),
        "zinnia_character_add": ([ptr, size, ctypes.c_int, ctypes.c_int], ctypes.c_int),
        "zinnia_character_set_value": ([ptr, text], None),
        "zinnia_trainer_new": ([], ptr),
        "zinnia_trainer_destroy": ([ptr], None),
        "zinnia_trainer_add": ([ptr, ptr], ctypes.c_int),
        "zinnia_trainer_train": ([ptr, text], ctypes.c_int),
        "zinnia_trainer_strerror": ([ptr], text),
        "zinnia_result_size": ([ptr], size),
        "zinnia_result_value": ([ptr, size], text),
        "zinnia_result_score": ([ptr, size], ctypes.c_float),
        "zinnia_result_destroy": ([ptr], None),
    }
    for name, (argtypes, restype) in signatures.items():
        function = getattr(lib, name)
        function.argtypes = argtypes
        function.restype = restype
    return lib


def load_library(path: str = "") -> ctypes.CDLL:
    """libzinnia from ``path``, else wherever the system's loader finds it, else Debian's file."""
    found = ctypes.util.find_library("zinnia")
    tried = [path] if path else [name for name in (found, DEFAULT_LIBRARY) if name]
    errors: list[str] = []
    for candidate in tried:
        try:
            return _bind(ctypes.CDLL(candidate))
        except (OSError, AttributeError) as exc:
            errors.append(f"{candidate}: {exc}")
    raise HandwritingUnavailable("libzinnia not loadable: " + "; ".join(errors or ["not found"]))


def _character(lib: ctypes.CDLL, points: list[list[tuple[int, int]]], width: int, height: int,
               value: str = "") -> int:
    """A zinnia character holding ``points``; the caller destroys it."""
    character: int | None = lib.zinnia_character_new()
    if not character:
        raise MemoryError("zinnia could not make a character")
    try:
        lib.zinnia_character_set_width(character, width)
        lib.zinnia_character_set_height(character, height)
        if value:
            lib.zinnia_character_set_value(character, value.encode())
        for stroke_id, stroke in enumerate(points):
            for x, y in stroke:
                if lib.zinnia_character_add(character, stroke_id, x, y) != 1:
                    raise HandwritingInputError(f"zinnia refused a point of stroke {stroke_id}")
    except BaseException:
        lib.zinnia_character_destroy(character)
        raise
    return character


def _points(strokes: Sequence[Stroke], side_x: int, side_y: int) -> list[list[tuple[int, int]]]:
    """Integer points inside the box, strokes without points left out."""
    if len(strokes) > MAX_STROKES:
        raise HandwritingInputError(f"{len(strokes)} strokes: more than any character has")
    try:
        points = [[(_coordinate(x, side_x), _coordinate(y, side_y)) for x, y in stroke]
                  for stroke in strokes]
    except (TypeError, ValueError) as exc:
        if isinstance(exc, HandwritingInputError):
            raise
        raise HandwritingInputError(f"a stroke is not a list of (x, y) points: {exc}") from exc
    return [stroke for stroke in points if stroke]


def train(samples: Iterable[tuple[str, Sequence[Stroke]]], width: float, height: float,
          model: str | Path, library: str = "") -> None:
    """Write a zinnia model to ``model`` from (character, strokes) samples in one box."""
    lib = load_library(library)
    side_x, side_y = _box(width, height)
    trainer = lib.zinnia_trainer_new()
    if not trainer:
        raise MemoryError("zinnia could not make a trainer")
    try:
        for char, strokes in samples:
            points = _points(strokes, side_x, side_y)
            if not char or not points:
                raise HandwritingInputError("a training sample needs a character and strokes")
            character = _character(lib, points, side_x, side_y, char)
            try:
                if lib.zinnia_trainer_add(trainer, character) != 1:
                    raise HandwritingInputError(f"zinnia refused a sample of {char}")
            finally:
                lib.zinnia_character_destroy(character)
        if lib.zinnia_trainer_train(trainer, str(model).encode()) != 1:
            reason = (lib.zinnia_trainer_strerror(trainer) or b"").decode(errors="replace")
            raise HandwritingUnavailable(f"zinnia could not train {model}: {reason or 'unknown error'}")
    finally:
        lib.zinnia_trainer_destroy(trainer)


def _box(width: float, height: float) -> tuple[int, int]:
    sides = []
    for side in (width, height):
        if not (isinstance(side, int | float) and math.isfinite(side) and 1 <= side <= MAX_SIDE):
            raise HandwritingInputError(f"the writing box must be 1 to {MAX_SIDE} wide and high")
        sides.append(round(side))
    return sides[0], sides[1]


def _coordinate(value: float, side: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise HandwritingInputError(f"a stroke point is not a finite number: {value!r}")
    # A finger that slides off the pad still draws along its edge.
    return min(max(round(value), 0), side)


class Recognizer:
    """One zinnia model, opened at construction; ``close()`` (or ``with``) frees it. zinnia's
    recogniser is not documented as thread-safe, so classify calls take turns."""

    def __init__(self, model: str | Path = DEFAULT_MODEL, library: str = "") -> None:
        self._lib = load_library(library)
        self._lock = threading.Lock()
        model_path = Path(model)
        if not model_path.is_file():
            raise HandwritingUnavailable(f"no handwriting model at {model_path}")
        handle = self._lib.zinnia_recognizer_new()
        if not handle:
            raise HandwritingUnavailable("zinnia could not make a recogniser")
        if self._lib.zinnia_recognizer_open(handle, str(model_path).encode()) != 1:
            reason = (self._lib.zinnia_recognizer_strerror(handle) or b"").decode(errors="replace")
            self._lib.zinnia_recognizer_destroy(handle)
            raise HandwritingUnavailable(f"cannot open {model_path}: {reason or 'unknown error'}")
        self._handle: int | None = handle

    def __enter__(self) -> Recognizer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._handle is None

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._lib.zinnia_recognizer_close(self._handle)
                self._lib.zinnia_recognizer_destroy(self._handle)
                self._handle = None

    def characters(self) -> frozenset[str]:
        """Every character the model can answer with."""
        with self._lock:
            handle = self._open_handle()
            count = self._lib.zinnia_recognizer_size(handle)
            values = (self._lib.zinnia_recognizer_value(handle, i) for i in range(count))
            return frozenset(value.decode("utf-8", "replace") for value in values if value)

    def classify(self, strokes: Sequence[Stroke], width: float, height: float,
                 n: int = 10) -> list[Candidate]:
        """The ``n`` best characters for ``strokes`` (points in a ``width`` x ``height`` box, y
        down), best first. Strokes without points are skipped; no strokes give no candidates."""
        side_x, side_y = _box(width, height)
        points = _points(strokes, side_x, side_y)
        if not points or n < 1:
            return []
        lib = self._lib
        character = _character(lib, points, side_x, side_y)
        try:
            with self._lock:
                result = lib.zinnia_recognizer_classify(self._open_handle(), character,
                                                        min(n, MAX_CANDIDATES))
                if not result:
                    return []
                try:
                    return [Candidate(value.decode("utf-8", "replace"),
                                      float(lib.zinnia_result_score(result, i)))
                            for i in range(lib.zinnia_result_size(result))
                            if (value := lib.zinnia_result_value(result, i))]
                finally:
                    lib.zinnia_result_destroy(result)
        finally:
            lib.zinnia_character_destroy(character)

    def _open_handle(self) -> int:
        if self._handle is None:
            raise HandwritingUnavailable("the recogniser is closed")
        return self._handle
