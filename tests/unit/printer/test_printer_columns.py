"""Column arithmetic on 58 and 80 mm paper: widths, wrapping, padding, two-column rows."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terminal_drivers.printer import columns as c


@pytest.mark.parametrize(
    ("dots", "mult", "cols"), [(576, 1, 48), (384, 1, 32), (576, 2, 24), (384, 2, 16), (576, 4, 12)]
)
def test_columns_for_paper_and_width_multiplier(dots: int, mult: int, cols: int) -> None:
    assert c.columns_for(dots, mult) == cols


def test_hanzi_per_line() -> None:
    assert c.columns_for(576) // 2 == 24
    assert c.columns_for(384) // 2 == 16


def test_display_width_counts_every_non_ascii_character_as_two() -> None:
    assert c.display_width("A001") == 4
    assert c.display_width("排队号") == 6
    assert c.display_width("第1/3张") == 7
    # Printed from the 24-dot font in Chinese mode although East Asian Width calls it ambiguous.
    assert c.display_width("·") == 2
    assert c.display_width("") == 0


def test_truncate_keeps_within_columns() -> None:
    assert c.truncate("社会保险参保登记", 9) == "社会保…"  # … is two columns too
    assert c.display_width(c.truncate("社会保险参保登记", 9)) <= 9
    assert c.truncate("short", 9) == "short"


def test_wrap_hanzi_breaks_anywhere() -> None:
    assert c.wrap("一二三四五六七八九十", 8) == ["一二三四", "五六七八", "九十"]


def test_wrap_keeps_ascii_words_whole() -> None:
    assert c.wrap("Line two with English words", 12) == ["Line two", "with English", "words"]


def test_wrap_breaks_a_word_longer_than_a_line() -> None:
    assert c.wrap("ABCDEFGHIJ", 4) == ["ABCD", "EFGH", "IJ"]


def test_wrap_never_starts_a_line_with_closing_punctuation() -> None:
    lines = c.wrap("一二三四，五六", 8)
    assert lines == ["一二三", "四，五六"]
    assert not lines[1].startswith("，")


def test_wrap_keeps_explicit_newlines() -> None:
    assert c.wrap("一\n二", 10) == ["一", "二"]


def test_wrap_balanced_leaves_no_orphan() -> None:
    text = "到厅后在自助机扫码或输入签到码取号"
    assert c.wrap(text, 32)[-1] == "号"
    balanced = c.wrap_balanced(text, 32)
    assert len(balanced) == 2
    assert "".join(balanced) == text
    assert abs(c.display_width(balanced[0]) - c.display_width(balanced[1])) <= 2


@settings(deadline=None)  # a shared machine: no per-example time limit
@given(st.text(alphabet=st.sampled_from("一二三 ABC，。x1"), max_size=80), st.integers(4, 48))
def test_wrap_never_exceeds_and_never_loses_characters(text: str, cols: int) -> None:
    for fn in (c.wrap, c.wrap_balanced):
        lines = fn(text, cols)
        assert all(c.display_width(line) <= cols for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_pad_left_right_center() -> None:
    assert c.pad("号", 6) == "号    "
    assert c.pad("号", 6, "right") == "    号"
    assert c.pad("号", 6, "center") == "  号  "
    assert c.pad("ab", 5, "center") == " ab  "


def test_two_columns_fills_between() -> None:
    row = c.two_columns("前面等候", "3 人", 32)
    assert row == "前面等候 .................. 3 人"
    assert c.display_width(row) == 32


def test_two_columns_truncates_the_left_part_first() -> None:
    row = c.two_columns("一个非常非常长的标签文字", "2026-11-23 14:05", 24)
    assert row.endswith("2026-11-23 14:05")
    assert c.display_width(row) <= 24


def test_fit_widths_gives_way_on_the_widest_column() -> None:
    table = [["月份", "2025-01"], ["说明", "一段很长很长很长很长很长的说明文字"], ["金额", "12.00"]]
    widths = c.fit_widths(table, 32)
    assert sum(widths) + 2 <= 32
    assert widths[0] == 7 and widths[2] == 5


def test_table_row() -> None:
    assert c.table_row(["2025-01", "12.00"], [8, 8], ["left", "right"]) == "2025-01     12.00"
    with pytest.raises(ValueError):
        c.table_row(["a"], [1, 2], ["left"])


def test_wrap_pulls_down_a_closing_bracket_with_the_comma_after_it() -> None:
    lines = c.wrap("近期免冠彩色照片一张（白底），尺寸为", 28)
    assert lines == ["近期免冠彩色照片一张（白", "底），尺寸为"]


def test_fit_widths_refuses_a_table_that_cannot_fit() -> None:
    with pytest.raises(ValueError):
        c.fit_widths([["一二三"]] * 12, 32)
    assert sum(c.fit_widths([["一二三四五"]] * 8, 32)) + 7 <= 32
