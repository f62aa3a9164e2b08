"""The kiosk's handwriting recognition: the zinnia model (and the supplement for name characters
outside GB2312) opened at first use, classified off the UI thread, and candidates kept to the
characters the kiosk's fonts can draw."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from kiosk.handwriting import supplement
from kiosk.handwriting.zinnia import (
    DEFAULT_MODEL,
    Candidate,
    HandwritingUnavailable,
    Recognizer,
    Stroke,
    load_library,
)

log = logging.getLogger(__name__)

# Candidates the pad shows in its row.
DEFAULT_COUNT = 6
# zinnia is asked for more than are shown: the font filter drops some.
ASK_FACTOR = 4


def drawable_characters() -> frozenset[str]:
    """The characters of the pinyin keyboard's table, written for the shipped fonts."""
    from kiosk.flows.name_input import syllable_index

    return syllable_index().characters


class HandwritingRecognition:
    """One model for the kiosk, opened when first asked (it costs about 26 MB of memory).
    ``recognise`` blocks; ``submit`` runs it on the recognition thread."""

    def __init__(self, model: str | Path = DEFAULT_MODEL, library: str = "",
                 drawable: Callable[[], frozenset[str]] = drawable_characters,
                 supplement_data: Path | None = supplement.DATA_FILE) -> None:
        self.model = Path(model)
        self.library = library
        # None: the tegaki model alone.
        self.supplement_data = supplement_data
        self._supplement: Recognizer | None = None
        self._drawable_source = drawable
        self._drawable: frozenset[str] | None = None
        self._recognizer: Recognizer | None = None
        self._open_lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._available: bool | None = None

    def available(self) -> bool:
        """True if the library loads and the model file is there (the model itself is not read)."""
        if self._available is None:
            try:
                load_library(self.library)
                self._available = self.model.is_file()
            except HandwritingUnavailable:
                self._available = False
        return self._available

    @property
    def loaded(self) -> bool:
        return self._recognizer is not None

    def recognizer(self) -> Recognizer:
        if self._recognizer is None:
            with self._open_lock:
                if self._recognizer is None:
                    base = Recognizer(self.model, self.library)
                    self._supplement = self._open_supplement()
                    self._recognizer = base
        return self._recognizer

    def _open_supplement(self) -> Recognizer | None:
        if self.supplement_data is None:
            return None
        try:
            return supplement.open_supplement(self.library, self.supplement_data)
        except HandwritingUnavailable as exc:
            # The GB2312 characters are still recognised: a missing supplement is no outage.
            log.warning("handwriting supplement unavailable (%s): %s", exc.code, exc)
            return None

    @property
    def supplement_characters(self) -> frozenset[str]:
        """What the supplement adds (empty before first use or without one)."""
        return self._supplement.characters() if self._supplement is not None else frozenset()

    def recognise(self, strokes: Sequence[Stroke], width: float, height: float,
                  n: int = DEFAULT_COUNT) -> list[str]:
        """The ``n`` best characters the fonts can draw, best first."""
        if n < 1:
            return []
        if self._drawable is None:
            self._drawable = self._drawable_source()
        found = self.recognizer().classify(strokes, width, height, n * ASK_FACTOR)
        if self._supplement is not None:
            extra = self._supplement.classify(strokes, width, height, 3)
            found = merged(found, [c for c in extra if c.score >= supplement.MIN_SCORE])
        return [c.char for c in found if c.char in self._drawable][:n]

    def submit(self, strokes: Sequence[Stroke], width: float, height: float,
               n: int = DEFAULT_COUNT) -> Future[list[str]]:
        """``recognise`` on the one recognition thread (a classify takes 10-100 ms)."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="handwriting")
        # The caller's list goes on changing as the citizen writes: the thread gets a copy.
        frozen = [list(stroke) for stroke in strokes]
        return self._executor.submit(self.recognise, frozen, width, height, n)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        for recognizer in (self._recognizer, self._supplement):
            if recognizer is not None:
                recognizer.close()
        self._recognizer = self._supplement = None


def merged(found: list[Candidate], extra: list[Candidate]) -> list[Candidate]:
    """Both lists by score, best first, each character once."""
    seen: set[str] = set()
    ordered = []
    for candidate in sorted([*found, *extra], key=lambda c: c.score, reverse=True):
        if candidate.char not in seen:
            seen.add(candidate.char)
            ordered.append(candidate)
    return ordered


_shared: dict[tuple[str, str, bool], HandwritingRecognition] = {}
_shared_lock = threading.Lock()


def shared_recognition(model: str | Path = DEFAULT_MODEL, library: str = "",
                       name_supplement: bool = True) -> HandwritingRecognition:
    """The kiosk's one recognition per model and library (screens come and go, the model stays)."""
    key = (str(model), library, name_supplement)
    with _shared_lock:
        if key not in _shared:
            data = supplement.DATA_FILE if name_supplement else None
            _shared[key] = HandwritingRecognition(model, library, supplement_data=data)
        return _shared[key]
