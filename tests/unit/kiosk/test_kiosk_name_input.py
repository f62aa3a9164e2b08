"""The name keyboard's logic: the shipped syllable table (fresh, drawable by the fonts), candidate
order and pages, and the composing state (letters, choices, separators, erase, ABC mode)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gov_fonts
from kiosk.flows import name_input
from kiosk.flows.name_input import (
    LATIN,
    MAX_LETTERS,
    PINYIN,
    SURNAMES,
    NameComposer,
    NameDataError,
    NameInputError,
    SyllableIndex,
    syllable_index,
)

ROOT = Path(__file__).resolve().parents[3]
FONTS = (gov_fonts.REGULAR, gov_fonts.BOLD)


def _generator():
    script = ROOT / "scripts/build_name_candidates.py"
    spec = importlib.util.spec_from_file_location("build_name_candidates", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _typed(composer: NameComposer, letters: str, char: str) -> None:
    for letter in letters:
        assert composer.type_letter(letter)
    while char not in composer.page_candidates():
        assert composer.more(), f"{char} not reachable from {letters}"
    assert composer.choose(char)


# -- the shipped table --


def test_shipped_table_is_what_the_generator_writes():
    generator = _generator()
    assert (ROOT / "kiosk/flows/name_candidates.json").read_text(encoding="utf-8") == generator.render(
        generator.build()
    )


def test_every_candidate_is_drawn_by_both_shipped_faces():
    from fontTools.ttLib import TTFont

    chars = {char for tiers in json.loads(name_input.DATA_FILE.read_text("utf-8"))["syllables"].values()
             for tier in tiers for char in tier}
    for path in FONTS:
        font = TTFont(str(path), lazy=True)
        cmap = font.getBestCmap()
        font.close()
        missing = sorted(char for char in chars if ord(char) not in cmap)
        assert missing == [], f"{path.name} cannot draw {missing[:10]}"
    assert len(chars) > 20000


def test_readings_are_toneless_with_v_for_u_umlaut():
    index = syllable_index()
    assert {"lv", "nv", "lve", "zhuang"} <= index.syllables
    assert not any(set(s) - set("abcdefghijklmnopqrstuvwxyz") for s in index.syllables)
    assert "吕" in index.candidates("lv")
    assert "女" in index.candidates("nv")
    assert all(char in index.syllables for char in ("a", "e", "o"))


def test_every_common_surname_is_offered_under_its_reading():
    index = syllable_index()
    for syllable, surname in SURNAMES:
        assert index.candidates(syllable, True).index(surname) < 20, (syllable, surname)


# -- order and pages --


def test_surnames_lead_the_first_character_and_given_name_characters_the_rest():
    index = syllable_index()
    assert index.candidates("zhang", True)[:2] == "张章"
    assert index.candidates("zhang", False).index("张") < 5
    assert index.candidates("san")[0] == "三"
    # After the surname, the characters common in given names come first.
    assert index.candidates("wei", False)[0] == "伟"
    assert index.candidates("wei", True)[0] == "魏"
    assert index.candidates("fang", False)[0] == "芳"
    assert index.candidates("jing", False)[:2] == "静晶"
    # ... but only those read that way: 伟 is not offered under "wen".
    assert "伟" not in index.candidates("wen", False)
    assert index.candidates("lv", True)[0] == "吕"
    # Ranked by names, not by text: 喆 (rare in text) is on zhe's first page, 镕 on rong's second.
    assert index.candidates("zhe", False).index("喆") < 7
    assert index.candidates("rong", False).index("镕") < 14
    # Traditional forms do not lead (ID cards print simplified characters).
    assert index.candidates("rong", False).index("榮") > index.candidates("rong", False).index("镕")
    assert index.candidates("shan", True)[0] == "单"  # 单 is read shan as a family name


def test_level_1_before_level_2_before_the_rest():
    index = syllable_index()
    # After the characters names hold (a name's order, not the tiers'): no longer syllable begins with yang.
    named = json.loads((ROOT / "kiosk/flows/name_candidates.json").read_text("utf-8"))["given_names"]["yang"]
    candidates = index.candidates("yang")[len(named):]
    assert not set(candidates) & set(named)
    level = {char: _generator().gb2312_level(char) for char in candidates}
    levels = [level[char] for char in candidates]
    assert levels == sorted(levels)
    assert levels[0] == 1 and levels[-1] == 3


def test_exact_syllable_first_then_longer_syllables():
    index = syllable_index()
    zhan = index.candidates("zhan")
    assert zhan.index("站") < zhan.index("张")  # zhan before zhang
    assert "张" in zhan
    assert index.candidates("zh", True)[:3] == "张赵周"
    assert len(set(zhan)) == len(zhan)
    assert index.candidates("zhangg") == "" and index.candidates("") == ""


def test_a_rare_name_character_is_reachable_by_paging():
    composer = NameComposer(syllable_index(), page_size=6)
    _typed(composer, "yan", "䶮")
    assert composer.name == "䶮" and composer.letters == ""


def test_pages_go_forward_and_back_and_reset_with_new_letters():
    composer = NameComposer(syllable_index(), page_size=6)
    for letter in "wei":
        composer.type_letter(letter)
    first = composer.page_candidates()
    assert len(first) == 6 and not composer.has_previous and composer.has_more
    assert composer.more() and composer.page_candidates() != first
    assert composer.previous() and composer.page_candidates() == first
    assert not composer.previous()
    composer.more()
    composer.erase()
    assert composer.page == 0 and composer.letters == "we"
    while composer.more():
        pass
    assert not composer.has_more and 0 < len(composer.page_candidates()) <= 6


# -- composing --


def test_pinyin_letters_then_a_candidate_make_the_name():
    composer = NameComposer(syllable_index())
    _typed(composer, "zhang", "张")
    _typed(composer, "san", "三")
    assert composer.name == "张三" and composer.finished_name() == "张三"


def test_letters_that_begin_no_syllable_are_refused():
    composer = NameComposer(syllable_index())
    assert "v" not in composer.allowed_letters() and "i" not in composer.allowed_letters()
    assert not composer.type_letter("v")
    composer.type_letter("z")
    composer.type_letter("h")
    assert composer.allowed_letters() == frozenset("aeiou")
    assert not composer.type_letter("x")
    assert composer.letters == "zh"
    for letter in "uang":
        assert composer.type_letter(letter)
    assert len(composer.letters) == MAX_LETTERS and composer.allowed_letters() == frozenset()


def test_erase_takes_a_letter_first_then_a_character():
    composer = NameComposer(syllable_index())
    _typed(composer, "zhang", "张")
    composer.type_letter("s")
    composer.type_letter("a")
    assert composer.erase() and (composer.name, composer.letters) == ("张", "s")
    assert composer.erase() and (composer.name, composer.letters) == ("张", "")
    assert composer.erase() and composer.name == ""
    assert not composer.erase()


def test_clear_forgets_name_and_letters():
    composer = NameComposer(syllable_index())
    _typed(composer, "li", "李")
    composer.type_letter("s")
    composer.clear()
    assert (composer.name, composer.letters, composer.page) == ("", "", 0)


def test_dot_joins_the_parts_of_a_transcribed_name():
    composer = NameComposer(syllable_index())
    assert not composer.separator("·")  # never first
    _typed(composer, "mai", "买")
    _typed(composer, "mai", "买")
    _typed(composer, "ti", "提")
    assert composer.accepts_separator("·") and not composer.accepts_separator("-")
    assert composer.separator("·") and not composer.separator("·")
    assert not composer.accepts_separator("·")
    _typed(composer, "ai", "艾")
    composer.type_letter("l")
    assert not composer.separator("·")  # letters wait for a choice
    composer.erase()
    _typed(composer, "li", "力")
    assert composer.name == "买买提·艾力"
    assert not composer.separator(" ")  # spaces belong to Latin names


def test_latin_mode_types_letters_space_and_hyphen_into_the_name():
    composer = NameComposer(syllable_index())
    composer.type_letter("l")
    composer.set_mode(LATIN)
    assert composer.letters == ""  # pending pinyin is dropped on a switch
    for key in "anna":
        composer.type_letter(key)
    assert composer.separator(" ") and not composer.separator(" ") and not composer.separator("-")
    for key in "smith":
        composer.type_letter(key)
    composer.separator("-")
    for key in "jones":
        composer.type_letter(key)
    assert composer.name == "ANNA SMITH-JONES"
    assert composer.candidates == ""
    assert not composer.separator("·")
    composer.separator(" ")
    assert composer.finished_name() == "ANNA SMITH-JONES"
    composer.set_mode(PINYIN)
    assert composer.name == "ANNA SMITH-JONES "


def test_the_name_stops_at_its_maximum_length():
    composer = NameComposer(syllable_index(), max_length=3)
    composer.set_mode(LATIN)
    for key in "abcd":
        composer.type_letter(key)
    assert composer.name == "ABC" and composer.allowed_letters() == frozenset()


def test_bad_keys_and_choices_raise_stable_codes():
    composer = NameComposer(syllable_index())
    with pytest.raises(NameInputError) as bad_key:
        composer.type_letter("1")
    assert bad_key.value.code == "not_a_letter"
    composer.type_letter("a")
    for wrong in ("张", "啊阿", ""):
        with pytest.raises(NameInputError) as bad_choice:
            composer.choose(wrong)
        assert bad_choice.value.code == "not_a_candidate"
    with pytest.raises(NameInputError) as bad_mode:
        composer.set_mode("wubi")
    assert bad_mode.value.code == "unknown_mode"
    with pytest.raises(NameInputError) as bad_mark:
        composer.separator("_")
    assert bad_mark.value.code == "not_a_separator"
    assert (composer.name, composer.letters, composer.mode) == ("", "a", PINYIN)


# -- the data file --


def test_a_broken_table_is_refused_with_a_code(tmp_path):
    for text in ("not json", json.dumps({"format": 99, "syllables": {}}), json.dumps({"format": 1}),
                 json.dumps({"format": 1, "syllables": {"Zh@ng": ["张", "", ""]}}),
                 json.dumps({"format": 1, "syllables": {"zhang": ["张", 5, ""]}})):
        path = tmp_path / "table.json"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(NameDataError) as error:
            SyllableIndex.load(path)
        assert error.value.code == "name_data_invalid"
    with pytest.raises(NameDataError):
        SyllableIndex.load(tmp_path / "missing.json")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(JSON, st.fixed_dictionaries({"format": st.just(1), "syllables": JSON})))
def test_any_json_table_loads_or_is_refused_with_a_code(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("table") / "table.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    try:
        index = SyllableIndex.load(path)
    except NameDataError as error:
        assert error.code == "name_data_invalid"
    else:
        # Only a well-formed table loads, and each syllable offers its own characters first.
        assert set(index.syllables) == set(data["syllables"])
        for syllable, tiers in data["syllables"].items():
            own = "".join(dict.fromkeys("".join(tiers)))
            assert index.candidates(syllable).startswith(own)


def test_a_small_table_orders_surnames_then_tiers():
    index = SyllableIndex({"zhang": ["长张", "嫜", "張"], "zhan": ["站", "", ""], "li": ["力李", "", ""]})
    assert index.candidates("zhang", True) == "张长嫜張"
    assert index.candidates("zhan", False) == "站长张嫜張"
    assert index.candidates("l", True) == "李力"
    assert index.next_letters("zha") == frozenset("n")


# -- any key sequence --

KEYS = st.sampled_from([*"abcdefghijklmnopqrstuvwxyz", "·", " ", "-", "pick", "more", "previous",
                        "erase", "clear", "mode"])


@settings(max_examples=300, deadline=None)
@given(st.lists(KEYS, max_size=60), st.integers(min_value=0, max_value=5))
def test_any_key_sequence_keeps_the_state_sound(keys, pick):
    index = syllable_index()
    composer = NameComposer(index, page_size=6, max_length=12)
    for key in keys:
        if key == "pick":
            shown = composer.page_candidates()
            if shown:
                composer.choose(shown[pick % len(shown)])
        elif key in ("more", "previous", "erase"):
            getattr(composer, key)()
        elif key == "clear":
            composer.clear()
        elif key == "mode":
            composer.set_mode(LATIN if composer.mode == PINYIN else PINYIN)
        elif len(key) == 1 and key.isalpha():
            composer.type_letter(key)
        else:
            composer.separator(key)
        assert index.is_prefix(composer.letters) and len(composer.letters) <= MAX_LETTERS
        assert len(composer.name) <= 12
        assert composer.mode == PINYIN or composer.letters == ""
        assert 0 <= composer.page < max(composer.page_count, 1)
        assert "  " not in composer.name and "··" not in composer.name
        assert not composer.name.startswith((" ", "-", "·"))
