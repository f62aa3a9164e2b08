"""Printed labels: every language present, Traditional Chinese free of simplified-only characters."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from opencc import OpenCC

from terminal_drivers.printer import labels

TO_TRADITIONAL = OpenCC("s2t")
TO_SIMPLIFIED = OpenCC("t2s")


def simplified_only(text: str) -> list[str]:
    """Characters that only exist in the simplified script (签, 号, 时 …)."""
    return [c for c in text if TO_TRADITIONAL.convert(c) != c and TO_SIMPLIFIED.convert(c) == c]


@pytest.mark.parametrize("key", sorted(labels._LABELS))
def test_every_label_has_three_languages(key: str) -> None:
    entry = labels._LABELS[key]
    assert set(entry) == set(labels.LANGS)
    assert all(text.strip() for text in entry.values())
    assert simplified_only(entry["zh_Hant"]) == []


def test_simplified_only_check_catches_a_simplified_character() -> None:
    assert simplified_only("签到碼") == ["签"]


def test_dates_in_each_language() -> None:
    day = date(2026, 11, 28)
    assert labels.format_date(day, "zh_Hans") == "2026年11月28日 周六"
    assert labels.format_date(day, "zh_Hant") == "2026年11月28日 週六"
    assert labels.format_date(day, "en") == "Sat 28 Nov 2026"
    assert labels.format_time(datetime(2026, 1, 2, 3, 4)) == "2026-01-02 03:04"


def test_label_values_and_unknown_language() -> None:
    assert labels.label("sheet", "zh_Hans", i=1, n=3) == "第1/3张"
    assert labels.label("sheet", "en", i=2, n=3) == "Sheet 2/3"
    with pytest.raises(ValueError):
        labels.check_lang("fr")
