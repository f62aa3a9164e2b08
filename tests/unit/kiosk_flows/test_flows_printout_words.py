"""Printed words: every msgid of the printouts translated in each language, Traditional Chinese free
of simplified-only characters, dates in each language."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from opencc import OpenCC

from kiosk.i18n import LANGUAGES, Translations
from kiosk.printouts import wording

PRINTOUTS = Path(wording.__file__).resolve().parent
TO_TRADITIONAL = OpenCC("s2t")
TO_SIMPLIFIED = OpenCC("t2s")


def simplified_only(text: str) -> list[str]:
    """Characters that only exist in the simplified script (签, 号, 时 …)."""
    return [c for c in text if TO_TRADITIONAL.convert(c) != c and TO_SIMPLIFIED.convert(c) == c]


def printout_msgids() -> list[str]:
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = {
        message[1] if isinstance(message[1], str) else message[1][0]
        # Dates on paper take their month and weekday names from the flows' words.
        for path in [*sorted(PRINTOUTS.glob("*.py")), PRINTOUTS.parent / "flows" / "words.py"]
        for message in extract_from_file("python", str(path), keywords=keywords)
    }
    return sorted(found)


def test_the_printouts_have_their_words() -> None:
    msgids = printout_msgids()
    assert "Queue number" in msgids and "Sheet {i}/{n}" in msgids and "Nov" in msgids


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_printed_word_is_translated(lang: str) -> None:
    table = Translations().table(lang)
    missing = [msgid for msgid in printout_msgids() if not table.get(msgid, "").strip()]
    assert missing == []


def test_traditional_chinese_has_no_simplified_only_characters() -> None:
    table = Translations().table("zh_Hant")
    assert {m: simplified_only(table[m]) for m in printout_msgids() if simplified_only(table[m])} == {}


def test_simplified_only_check_catches_a_simplified_character() -> None:
    assert simplified_only("签到碼") == ["签"]


def test_dates_in_each_language() -> None:
    day = date(2026, 11, 28)
    assert wording.printed_date(day, "zh_Hans") == "2026年11月28日 周六"
    assert wording.printed_date(day, "zh_Hant") == "2026年11月28日 週六"
    assert wording.printed_date(day, "en") == "Sat 28 Nov 2026"
    assert wording.printed_date(date(2027, 1, 4), "en") == "Mon 4 Jan 2027"
    assert wording.printed_time(datetime(2026, 1, 2, 3, 4)) == "2026-01-02 03:04"


def test_unknown_language() -> None:
    assert wording.check_lang("zh_Hant") == "zh_Hant"
    with pytest.raises(ValueError):
        wording.check_lang("fr")


def test_check_in_window_says_when_with_the_date_only_on_another_day() -> None:
    from kiosk.flows.words import check_in_window_text

    window = {"check_in_opens": "2026-11-25T17:30:00+08:00", "check_in_closes": "2026-11-25T18:15:00+08:00"}
    today, earlier = date(2026, 11, 25), date(2026, 11, 24)
    assert check_in_window_text("too_early", window, today, "zh_Hans") == "签到时间 17:30 起。"
    assert check_in_window_text("too_early", window, today, "zh_Hant") == "簽到時間 17:30 起。"
    assert check_in_window_text("too_early", window, today, "en") == "Check-in opens at 17:30."
    on_the_day = "签到时间 11月25日 周三 17:30 起。"
    assert check_in_window_text("too_early", window, earlier, "zh_Hans") == on_the_day
    assert check_in_window_text("too_late", window, today, "zh_Hans") == "签到时间已于 18:15 截止。"
    assert check_in_window_text("too_late", window, today, "en") == "Check-in closed at 18:15."
    assert check_in_window_text("booking_not_found", window, today, "en") == ""
    assert check_in_window_text("too_early", {"check_in_opens": "soon"}, today, "en") == ""
