"""Review routes (好差评): the levels and reasons, submitting a review, and the follow-up cases."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from hall_contract import ReviewBody, ReviewLevels, ReviewResult
from hall_server.api.answers import answered_as
from hall_server.api.auth import ADMIN, KIOSK_OR_STAFF, Caller, hall_of
from hall_server.api.fields import SITE_PATTERN
from hall_server.api.languages import Lang
from hall_server.middleware.idempotency import run_creating
from hall_server.usecases import reviews

router = APIRouter(tags=["reviews"])


@router.get("/reviews/reasons", response_model=ReviewLevels)
def reasons(lang: Lang = Query("zh-Hans"), caller: Caller = Depends(KIOSK_OR_STAFF)) -> dict[str, Any]:
    """The five levels (5 非常满意 … 1 非常不满意) with the reasons offered for each."""
    return reviews.levels_answer(lang)


@router.post("/reviews", status_code=201, response_model=ReviewResult)
def post_review(body: ReviewBody, request: Request, caller: Caller = Depends(KIOSK_OR_STAFF)) -> Response:
    """Rate a transaction; a level of 2 or less opens a follow-up case due in N working days."""
    hall = hall_of(request)
    create = reviews.new_review(
        hall, caller, site=body.site, level=body.level, reasons=list(body.reasons), comment=body.comment,
        subject_type=body.subject.type, subject_id=body.subject.id,
    )
    return run_creating(hall, request, caller, body, answered_as(ReviewResult, create))


@router.get("/reviews/follow-ups")
def follow_ups(
    request: Request,
    status: Literal["open", "closed"] | None = Query("open"),
    site: str | None = Query(None, pattern=SITE_PATTERN),
    caller: Caller = Depends(ADMIN),
) -> dict[str, Any]:
    """Follow-up cases of bad reviews with their due dates (admin); who rated is never shown."""
    return reviews.follow_ups_answer(hall_of(request), status, site)


@router.post("/reviews/follow-ups/{case_id}/close")
def close_follow_up(
    request: Request,
    case_id: str = Path(min_length=3, max_length=40, pattern=r"^f_[A-Za-z0-9_-]+$"),
    caller: Caller = Depends(ADMIN),
) -> dict[str, Any]:
    """Mark a follow-up case handled (admin); closing a closed case answers it unchanged."""
    return reviews.close_follow_up(hall_of(request), case_id)
