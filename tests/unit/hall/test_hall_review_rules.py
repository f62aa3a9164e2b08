"""好差评: levels, labels, reasons per level, validation, and follow-up deadlines on the site calendar."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hall_server.domain.calendar import SiteCalendar
from hall_server.domain.reviews import ReviewError, follow_up_due, is_bad, review_levels, validate_review

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_five_levels_with_labels_in_three_languages() -> None:
    levels = review_levels()
    assert [lv.level for lv in levels] == [5, 4, 3, 2, 1]
    assert [lv.label("zh-Hans") for lv in levels] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert [lv.label("zh-Hant") for lv in levels] == ["非常滿意", "滿意", "基本滿意", "不滿意", "非常不滿意"]
    assert levels[0].label("en") == "Very satisfied" and levels[-1].label("en") == "Very dissatisfied"
    assert [lv.bad for lv in levels] == [False, False, False, True, True]


def test_reasons_fit_their_levels() -> None:
    by_level = {lv.level: {r.code: r for r in lv.reasons} for lv in review_levels()}
    assert {"not_told_at_once", "slow", "poor_attitude", "repeated_visits", "system_failure"} <= set(
        by_level[1]
    )
    assert by_level[1]["not_told_at_once"].label("zh-Hans") == "未一次性告知"
    assert by_level[2]["slow"].label("zh-Hant") == "辦事效率低"
    assert {"done_in_one_visit", "warm_service"} <= set(by_level[5])
    assert by_level[5]["done_in_one_visit"].label("zh-Hans") == "一次办好"
    assert not set(by_level[5]) & set(by_level[1])
    for level in review_levels():
        assert level.reasons
        for reason in level.reasons:
            assert all(reason.label(lang).strip() for lang in ("zh-Hans", "zh-Hant", "en"))


def test_validation() -> None:
    validate_review(1, ["slow", "poor_attitude"], "等了两个小时")
    validate_review(5, [])
    cases: list[tuple[object, list[object], object, str]] = [
        (0, [], None, "invalid_level"),
        (6, [], None, "invalid_level"),
        (True, [], None, "invalid_level"),
        ("5", [], None, "invalid_level"),
        (5, ["no_such_reason"], None, "unknown_reason"),
        (5, [3], None, "unknown_reason"),
        (5, ["slow"], None, "reason_not_for_level"),
        (1, ["done_in_one_visit"], None, "reason_not_for_level"),
        (1, ["slow", "slow"], None, "duplicate_reason"),
        (1, ["slow"] * 11, None, "too_many_reasons"),
        (3, [], "x" * 501, "comment_too_long"),
        (3, [], 42, "comment_too_long"),
    ]
    for level, reasons, comment, code in cases:
        with pytest.raises(ReviewError) as caught:
            validate_review(level, reasons, comment)
        assert caught.value.code == code, (level, reasons)


def test_bad_is_two_or_less() -> None:
    assert [is_bad(level) for level in (1, 2, 3, 4, 5)] == [True, True, False, False, False]


def test_follow_up_due_five_working_days_across_national_day(calendar: SiteCalendar) -> None:
    # Reviewed on Tuesday 2025-09-30: 10-01..10-08 are off, Saturday 10-11 is worked.
    assert follow_up_due(1, at("2025-09-30 16:00"), calendar) == date(2025, 10, 14)
    assert follow_up_due(2, at("2025-09-30 16:00"), calendar, working_days=3) == date(2025, 10, 11)
    assert follow_up_due(3, at("2025-09-30 16:00"), calendar) is None
    # Late on Friday in UTC is already Saturday in Shanghai: counting starts from the local date.
    assert follow_up_due(1, datetime.fromisoformat("2025-10-17T17:00:00+00:00"), calendar) == date(
        2025, 10, 24
    )
    assert follow_up_due(1, at("2025-10-17 09:00"), calendar) == date(2025, 10, 24)
    assert follow_up_due(1, at("2025-10-16 09:00"), calendar) == date(2025, 10, 23)


def test_reason_data_is_validated() -> None:
    from hall_server.domain.reviews import parse_review_reasons

    levels = "[levels]\n" + "".join(
        f'{n} = {{ zh-Hans = "a", zh-Hant = "b", en = "c" }}\n' for n in range(1, 6)
    )
    reason = '[[reasons]]\ncode = "slow"\nlevels = [1]\nzh-Hans = "慢"\nzh-Hant = "慢"\nen = "Slow"\n'
    assert [len(lv.reasons) for lv in parse_review_reasons(levels + reason)] == [0, 0, 0, 0, 1]
    for broken in [
        reason,
        levels.replace("5 = ", "6 = ") + reason,
        levels + reason.replace('en = "Slow"\n', ""),
        levels + reason.replace("levels = [1]", "levels = [0]"),
        levels + reason + reason,
        levels,
    ]:
        with pytest.raises(ValueError):
            parse_review_reasons(broken)
