"""Handwriting: the libzinnia binding against the real tegaki model (characters drawn from Make Me
a Hanzi's stroke medians), the supplement that adds 喆 and 镕, bad strokes, a missing library or
model, the font filter, and the name composer's handwriting mode."""

from __future__ import annotations

import json
import logging
import math
import random
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.config import ConfigError, parse_config
from kiosk.flows.name_input import HANDWRITING, NAME_DOT, NameComposer, NameInputError
from kiosk.handwriting import supplement
from kiosk.handwriting.recognition import HandwritingRecognition, merged
from kiosk.handwriting.zinnia import (
    DEFAULT_MODEL,
    Candidate,
    HandwritingInputError,
    HandwritingUnavailable,
    Recognizer,
    load_library,
    train,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "handwriting"
MEDIANS: dict[str, list[list[list[int]]]] = json.loads((FIXTURES / "medians.json").read_text("utf-8"))
# Make Me a Hanzi draws in a 1024 box with y up; the recogniser's y runs down.
BOX = 1024


def strokes_of(char: str) -> list[list[tuple[float, float]]]:
    return [[(x, 900 - y) for x, y in stroke] for stroke in MEDIANS[char]]


@pytest.fixture(scope="module")
def recognizer():
    with Recognizer() as opened:
        yield opened


def rank(recognizer: Recognizer, char: str, n: int = 10) -> int | None:
    found = [c.char for c in recognizer.classify(strokes_of(char), BOX, BOX, n)]
    return found.index(char) + 1 if char in found else None


# Measured with the tegaki zh_CN model: 伟 罗 李 陈 杨 first, 王 second.
@pytest.mark.parametrize("char", ["伟", "罗", "李", "陈", "杨", "王"])
def test_name_characters_are_among_the_first_three(recognizer, char):
    found = recognizer.classify(strokes_of(char), BOX, BOX, 10)
    assert all(isinstance(c, Candidate) for c in found) and len(found) == 10
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert (rank(recognizer, char) or 99) <= 3, [c.char for c in found]


def test_the_simplified_chinese_model_holds_gb2312_and_not_the_rarer_name_characters(recognizer):
    """The tegaki model knows GB2312's 6,763 characters: 喆 and 镕 (朱镕基's 镕, famously outside
    GB2312) are not among them, so no stroke order can bring them up."""
    known = recognizer.characters()
    assert len(known) == 6763
    assert {"伟", "罗", "刘", "张", "王"} <= known
    assert "喆" not in known and "镕" not in known
    assert rank(recognizer, "喆", 100) is None and rank(recognizer, "镕", 100) is None


@pytest.fixture(scope="module")
def recognition():
    both = HandwritingRecognition()
    yield both
    both.close()


@pytest.mark.parametrize("char", ["喆", "镕"])
def test_the_supplement_brings_the_issues_name_characters_first(recognition, char):
    assert recognition.recognise(strokes_of(char), BOX, BOX, 6)[0] == char
    assert char in recognition.supplement_characters


@pytest.mark.parametrize("char", ["喆", "镕"])
def test_jittered_copies_never_trained_on_are_in_the_first_three(recognition, char):
    """Other slants, sizes and shakes than the training copies (another seed): the supplement has
    learnt the character, not one drawing of it. Still drawn from the same medians, not by a hand."""
    rnd = random.Random(2026)
    medians = supplement.load_medians()[char]
    for _copy in range(10):
        found = recognition.recognise(supplement.jittered(medians, BOX, rnd), BOX, BOX, 6)
        assert char in found[:3], found


@pytest.mark.parametrize("char", ["伟", "罗", "李", "陈", "杨", "王", "刘", "张"])
def test_the_supplement_leaves_gb2312_characters_where_they_were(recognition, char):
    alone = HandwritingRecognition(supplement_data=None)
    try:
        assert recognition.recognise(strokes_of(char), BOX, BOX, 6) == alone.recognise(
            strokes_of(char), BOX, BOX, 6)
    finally:
        alone.close()


def test_the_shipped_supplement_adds_only_what_the_model_lacks_and_the_font_draws(recognizer):
    from kiosk.flows.name_input import syllable_index

    chars = set(supplement.load_medians())
    assert {"喆", "镕"} <= chars
    assert not chars & recognizer.characters()
    assert chars <= syllable_index().characters
    assert (supplement.DATA_FILE.with_name("ARPHICPL.TXT")).read_text().startswith("ARPHIC PUBLIC LICENSE")


def test_a_missing_supplement_leaves_the_tegaki_model_working(tmp_path, caplog):
    broken = tmp_path / "name_supplement.json"
    broken.write_text('{"format": 99}')
    for data in (tmp_path / "none.json", broken):
        recognition = HandwritingRecognition(supplement_data=data)
        with caplog.at_level(logging.WARNING, logger="kiosk.handwriting.recognition"):
            assert recognition.recognise(strokes_of("伟"), BOX, BOX, 3)[0] == "伟"
        assert recognition.supplement_characters == frozenset()
        assert "handwriting_unavailable" in caplog.text
        recognition.close()
        caplog.clear()


def test_merged_orders_by_score_and_keeps_each_character_once():
    found = [Candidate("罗", 0.2), Candidate("鸢", -0.6)]
    extra = [Candidate("喆", 0.9), Candidate("罗", 0.7)]
    assert [c.char for c in merged(found, extra)] == ["喆", "罗", "鸢"]


def test_training_refuses_samples_without_strokes_or_character(tmp_path):
    for sample in (("", [[(1.0, 1.0)]]), ("喆", []), ("喆", [[(math.nan, 1.0)]])):
        with pytest.raises(HandwritingInputError):
            train([sample], 100, 100, tmp_path / "m.model")
    train([("一", [[(10.0, 50.0), (90.0, 50.0)]]), ("丨", [[(50.0, 10.0), (50.0, 90.0)]])],
          100, 100, tmp_path / "m.model")
    with Recognizer(tmp_path / "m.model") as tiny:
        assert tiny.characters() == {"一", "丨"}
        assert tiny.classify([[(12.0, 48.0), (88.0, 52.0)]], 100, 100, 1)[0].char == "一"


def test_no_strokes_no_candidates(recognizer):
    assert recognizer.classify([], 300, 300) == []
    assert recognizer.classify([[], []], 300, 300) == []
    assert recognizer.classify(strokes_of("罗"), BOX, BOX, n=0) == []


def test_one_point_and_points_off_the_box_still_classify(recognizer):
    assert isinstance(recognizer.classify([[(150.0, 150.0)]], 300, 300), list)
    # A finger sliding off the pad: the points land on its edge.
    far = [[(-1e12, 5.0), (1e300, 7.0)], [(3.0, -1e9), (4.0, 1e9)]]
    assert isinstance(recognizer.classify(far, 300, 300), list)
    # Empty strokes in between are skipped: the character is the same.
    gapped = [stroke for s in strokes_of("罗") for stroke in (s, [])]
    assert recognizer.classify(gapped, BOX, BOX)[0].char == "罗"


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, "12", None, True])
def test_a_point_that_is_not_a_number_is_refused_with_the_code(recognizer, bad):
    with pytest.raises(HandwritingInputError) as caught:
        recognizer.classify([[(10.0, 10.0), (bad, 20.0)]], 300, 300)
    assert caught.value.code == "handwriting_bad_strokes"


@pytest.mark.parametrize("strokes", [[[(1.0, 2.0, 3.0)]], [[5.0]], [None]])
def test_malformed_strokes_are_refused(recognizer, strokes):
    with pytest.raises(HandwritingInputError):
        recognizer.classify(strokes, 300, 300)


@pytest.mark.parametrize("side", [0, -5, math.nan, math.inf, 10**9])
def test_a_box_without_size_is_refused(recognizer, side):
    with pytest.raises(HandwritingInputError):
        recognizer.classify(strokes_of("罗"), side, 300)


def test_more_strokes_than_a_character_has_are_refused(recognizer):
    with pytest.raises(HandwritingInputError):
        recognizer.classify([[(float(i), float(i))] for i in range(65)], 300, 300)


coordinate = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**15), max_value=10**15),
)
stroke_lists = st.lists(st.lists(st.tuples(coordinate, coordinate), max_size=30), max_size=20)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(strokes=stroke_lists, side=st.integers(min_value=1, max_value=2000))
def test_any_stroke_list_gives_candidates_or_the_input_error(recognizer, strokes, side):
    try:
        found = recognizer.classify(strokes, side, side, 5)
    except HandwritingInputError as exc:
        assert exc.code == "handwriting_bad_strokes"
        assert any(not math.isfinite(v) for stroke in strokes for point in stroke for v in point)
        return
    assert len(found) <= 5
    assert all(len(c.char) >= 1 and math.isfinite(c.score) for c in found)
    assert (found == []) == (not any(strokes))


def test_classify_takes_turns_across_threads(recognizer):
    expected = {char: recognizer.classify(strokes_of(char), BOX, BOX, 5) for char in ("伟", "罗", "陈")}
    results: list[bool] = []

    def work(char: str) -> None:
        for _round in range(5):
            results.append(recognizer.classify(strokes_of(char), BOX, BOX, 5) == expected[char])

    threads = [threading.Thread(target=work, args=(char,)) for char in expected for _copy in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 30


def test_a_closed_recognizer_refuses_and_closes_once():
    recognizer = Recognizer()
    with recognizer:
        assert recognizer.classify(strokes_of("伟"), BOX, BOX, 1)[0].char == "伟"
    assert recognizer.closed
    recognizer.close()
    with pytest.raises(HandwritingUnavailable):
        recognizer.classify(strokes_of("伟"), BOX, BOX)


def test_a_missing_model_or_library_is_one_stable_code(tmp_path):
    garbage = tmp_path / "broken.model"
    garbage.write_bytes(b"not a zinnia model" * 100)
    attempts = [
        lambda: Recognizer(tmp_path / "none.model"),
        lambda: Recognizer(garbage),
        lambda: Recognizer(DEFAULT_MODEL, library=str(tmp_path / "libzinnia.so.0")),
        lambda: load_library(str(tmp_path / "libzinnia.so.0")),
        # A library that loads but is not libzinnia.
        lambda: load_library("libc.so.6"),
    ]
    for attempt in attempts:
        with pytest.raises(HandwritingUnavailable) as caught:
            attempt()
        assert caught.value.code == "handwriting_unavailable"
    assert not HandwritingRecognition(tmp_path / "none.model").available()
    assert not HandwritingRecognition(DEFAULT_MODEL, str(tmp_path / "libzinnia.so.0")).available()
    # A model that exists but cannot be read shows when first used, with the same code.
    broken = HandwritingRecognition(garbage)
    assert broken.available()
    with pytest.raises(HandwritingUnavailable):
        broken.recognise(strokes_of("伟"), BOX, BOX)


def test_candidates_are_kept_to_what_the_font_draws():
    everything = HandwritingRecognition(supplement_data=None)
    shown = everything.recognise(strokes_of("罗"), BOX, BOX, 6)
    assert shown[0] == "罗" and len(shown) == 6
    without = HandwritingRecognition(drawable=lambda: frozenset(shown[1:]), supplement_data=None)
    assert without.recognise(strokes_of("罗"), BOX, BOX, 6) == shown[1:]
    only = HandwritingRecognition(drawable=lambda: frozenset("罗"), supplement_data=None)
    assert only.recognise(strokes_of("罗"), BOX, BOX, 6) == ["罗"]
    for recognition in (everything, without, only):
        recognition.close()


def test_the_model_is_opened_at_first_use_and_classified_off_the_caller_thread():
    recognition = HandwritingRecognition()
    assert recognition.available() and not recognition.loaded
    threads: list[str] = []
    original = recognition.recognise

    def recorded(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return original(*args, **kwargs)

    recognition.recognise = recorded  # type: ignore[method-assign]
    strokes = strokes_of("伟")
    future = recognition.submit(strokes, BOX, BOX, 3)
    # The caller may go on changing its list: the thread classifies what was written then.
    strokes.clear()
    assert future.result(timeout=30)[0] == "伟"
    assert recognition.loaded and threads and threads[0].startswith("handwriting")
    recognition.close()
    assert not recognition.loaded


def test_the_composer_writes_drawable_characters_in_handwriting_mode():
    composer = NameComposer()
    composer.set_mode(HANDWRITING)
    assert composer.allowed_letters() == frozenset()
    assert not composer.type_letter("a") and composer.letters == ""
    assert composer.write("罗")
    assert composer.separator(NAME_DOT) and composer.write("伟")
    assert composer.name == "罗·伟"
    for refused in ("AB", "A", "\u20ac", ""):
        with pytest.raises(NameInputError):
            composer.write(refused)
    composer.set_mode("pinyin")
    assert composer.name == "罗·伟"


def test_handwriting_settings_are_read_and_checked():
    base = {"hall": {"token": "t"}, "technician_pin": "5820"}
    assert parse_config(base).handwriting.model == DEFAULT_MODEL
    assert parse_config(base).handwriting.name_supplement is True
    config = parse_config({**base, "handwriting": {"enabled": False, "model": "/opt/m.model"}})
    assert (config.handwriting.enabled, config.handwriting.model) == (False, "/opt/m.model")
    for bad in ({"enabled": "yes"}, {"model": 3}, {"colour": "red"}):
        with pytest.raises(ConfigError) as caught:
            parse_config({**base, "handwriting": bad})
        assert caught.value.key.startswith("handwriting.")
