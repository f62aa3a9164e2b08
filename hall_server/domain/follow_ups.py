"""The follow-up case of a bad review (差评整改): its states and which desk action each one allows.

A case opens with the bad review. A manager assigns it to a staff member (again, while it is open), writes
the answer given to the citizen (整改反馈), and closes it. The national 好差评 rules ask that every bad review
be answered before it is done with, so a case is closed only once answered; the deadline (working days on
the site's calendar) is met by the answer.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from hall_server.domain.calendar import SiteCalendar

Status = Literal["open", "answered", "closed"]
STATUSES: tuple[Status, ...] = ("open", "answered", "closed")
MAX_ANSWER_CHARS = 1000


class FollowUpError(Exception):
    """A desk action the case's state does not allow; ``code`` is the API's refusal code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def check_assign(status: str) -> None:
    """Assigning (or re-assigning) is for an open case: once answered, the work is done."""
    if status == "closed":
        raise FollowUpError("follow_up_closed", "the follow-up case is closed")
    if status == "answered":
        raise FollowUpError("follow_up_already_answered", "the follow-up case has its answer already")


def check_answer(status: str, text: str) -> str:
    """The answer's text as stored (trimmed); one answer per case, never on a closed case."""
    check_assign(status)
    answer = text.strip()
    if not answer:
        raise FollowUpError("answer_required", "the answer is empty")
    if len(answer) > MAX_ANSWER_CHARS:
        raise FollowUpError("answer_too_long", f"an answer is at most {MAX_ANSWER_CHARS} characters")
    return answer


def check_close(status: str) -> bool:
    """Whether closing changes the case: an answered case closes, a closed one stays as it is."""
    if status == "open":
        raise FollowUpError("follow_up_not_answered", "a follow-up case is closed once it is answered")
    return status == "answered"


def is_overdue(status: str, due: date, today: date) -> bool:
    """Still waiting for its answer after the due date (an answered case met or missed it already)."""
    return status == "open" and due < today


def working_days_left(cal: SiteCalendar, today: date, due: date) -> int:
    """Working days from today to the deadline (0 on the day itself; negative once overdue)."""
    step, sign = (timedelta(days=1), 1) if due >= today else (timedelta(days=-1), -1)
    count, day = 0, today
    while day != due:
        day += step
        count += cal.holidays.is_workday(day)
    return sign * count


def desk_order(status: str, overdue: bool, due: str, opened_at: str) -> tuple[bool, int, str, str]:
    """The order of the list: overdue first, then open ones by due date, then answered, then closed."""
    return (not overdue, STATUSES.index(status) if status in STATUSES else len(STATUSES), due, opened_at)
