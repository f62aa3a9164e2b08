"""The 好差评 desk's rules: which step each state allows, the answer's text, the working days left across a
holiday, and the order of the list."""

from __future__ import annotations

from datetime import date

import pytest

from hall_server.domain.calendar import SiteCalendar
from hall_server.domain.follow_ups import (
    MAX_ANSWER_CHARS,
    FollowUpError,
    check_answer,
    check_assign,
    check_close,
    desk_order,
    is_overdue,
    working_days_left,
)


def code(step: object, *args: object) -> str | None:
    try:
        step(*args)  # type: ignore[operator]
    except FollowUpError as exc:
        return exc.code
    return None


def test_each_state_allows_its_steps() -> None:
    assert [code(check_assign, s) for s in ("open", "answered", "closed")] == [
        None, "follow_up_already_answered", "follow_up_closed"]
    assert [code(check_answer, s, "已回访") for s in ("open", "answered", "closed")] == [
        None, "follow_up_already_answered", "follow_up_closed"]
    assert code(check_close, "open") == "follow_up_not_answered"
    assert check_close("answered") is True and check_close("closed") is False


def test_the_answer_is_trimmed_and_bounded() -> None:
    assert check_answer("open", "  已回访\n") == "已回访"
    assert code(check_answer, "open", " \n ") == "answer_required"
    assert check_answer("open", "改" * MAX_ANSWER_CHARS) == "改" * MAX_ANSWER_CHARS
    assert code(check_answer, "open", "改" * (MAX_ANSWER_CHARS + 1)) == "answer_too_long"


def test_working_days_left_skip_the_national_day_holidays(calendar: SiteCalendar) -> None:
    # 2025: 1-8 October off, Saturday 11 October a 调休 working day.
    assert working_days_left(calendar, date(2025, 9, 30), date(2025, 10, 14)) == 5
    assert working_days_left(calendar, date(2025, 10, 14), date(2025, 10, 14)) == 0
    assert working_days_left(calendar, date(2025, 10, 14), date(2025, 9, 30)) == -5


@pytest.mark.parametrize(("status", "overdue"), [("open", True), ("answered", False), ("closed", False)])
def test_only_an_unanswered_case_is_overdue(status: str, overdue: bool) -> None:
    assert is_overdue(status, date(2025, 10, 14), date(2025, 10, 15)) is overdue
    assert not is_overdue(status, date(2025, 10, 14), date(2025, 10, 14))


def test_the_list_runs_overdue_then_open_then_answered_then_closed() -> None:
    cases = [("closed", False, "2025-10-01", "a"), ("answered", False, "2025-10-02", "b"),
             ("open", False, "2025-10-09", "c"), ("open", True, "2025-10-05", "d"),
             ("open", False, "2025-10-08", "e")]
    assert [c[3] for c in sorted(cases, key=lambda c: desk_order(*c))] == ["d", "e", "c", "b", "a"]
