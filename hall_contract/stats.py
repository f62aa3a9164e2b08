"""Statistics answers (DESIGN §4.7, role manager or admin): queues, windows, reviews, kiosks, video help.

Each report has rows (grouped by queue, window, department or kiosk, and by ``day`` or ``hour`` when asked)
and ``totals`` over the whole range; durations are whole seconds, shares fractions of 1 with 4 places.
The definitions are docs/statistics.md's.
"""

from __future__ import annotations

from pydantic import Field

from hall_contract.base import Answer


class Bucket(Answer):
    """The day (``2026-11-25``) or hour (``2026-11-25T09``) of a row when the report is grouped by it."""

    day: str | None = None
    hour: str | None = None


class QueueFigures(Answer):
    issued: int  # walk-in tickets and checked-in bookings (transfers in are counted apart)
    transferred_in: int = 0
    called: int = 0
    served: int
    no_show: int
    transferred: int
    wait_p50_s: int | None
    wait_p90_s: int | None
    wait_mean_s: float | None = None
    service_p50_s: int | None
    service_mean_s: float | None = None
    within_target_share: float | None


class QueueRow(QueueFigures, Bucket):
    queue: str


class ReportHead(Answer):
    site: str
    from_: str = Field(alias="from")
    to: str
    by: str
    department: str | None = None
    service: str | None = None
    # Each department's name in the asked language (``lang``), by code: the rows hold codes.
    department_names: dict[str, str] = Field(default_factory=dict)


class QueueStats(ReportHead):
    queues: list[QueueRow]
    totals: QueueFigures
    wait_target_s: int


class WindowFigures(Answer):
    served: int
    no_show: int
    transferred: int
    service_mean_s: float | None
    service_p90_s: int | None
    busy_s: int | None
    open_s: int | None
    idle_share: float | None
    pauses: int


class WindowRow(WindowFigures, Bucket):
    window: str
    clerk: str | None


class WindowStats(ReportHead):
    windows: list[WindowRow]
    totals: WindowFigures


class ReviewFigures(Answer):
    reviews: int
    level_1: int
    level_2: int
    level_3: int
    level_4: int
    level_5: int
    satisfied: int
    satisfaction_share: float | None
    bad: int
    follow_ups_answered: int = 0
    follow_ups_closed: int


class ReviewRow(ReviewFigures, Bucket):
    department: str | None


class BadReview(Answer):
    follow_up: str
    review: str
    level: int
    department: str | None
    reasons: list[str]
    status: str
    opened_at: str
    due: str
    working_days_left: int
    overdue: bool
    assignee: str | None = None
    answered_at: str | None = None
    closed_at: str | None = None


class ReviewStats(ReportHead):
    reviews: list[ReviewRow]
    totals: ReviewFigures
    bad_reviews: list[BadReview]


class KioskFigures(Answer):
    visits: int
    completed: int
    completion_share: float | None
    faults: int
    paper_outs: int


class KioskRow(KioskFigures, Bucket):
    kiosk: str | None
    function: str | None


class KioskStats(ReportHead):
    kiosks: list[KioskRow]
    totals: KioskFigures


class AssistFigures(Answer):
    calls: int
    answered: int
    answered_within_60s: int
    answered_within_60s_share: float | None
    abandoned: int
    wait_p50_s: int | None
    wait_p90_s: int | None
    talk_mean_s: float | None
    talk_p90_s: int | None


class AssistRow(AssistFigures, Bucket):
    department: str | None


class AssistStats(ReportHead):
    assist: list[AssistRow]
    totals: AssistFigures
