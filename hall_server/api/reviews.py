"""Review routes (好差评): the levels and reasons, submitting a review, and the follow-up desk (managers)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from hall_contract import ReviewBody, ReviewLevels, ReviewResult
from hall_contract.base import Text
from hall_server.api.answers import answered_as
from hall_server.api.auth import KIOSK_OR_STAFF, MANAGER, Caller, hall_of
from hall_server.api.fields import SITE_PATTERN
from hall_server.api.languages import Lang
from hall_server.domain.follow_ups import MAX_ANSWER_CHARS
from hall_server.middleware.idempotency import run_creating
from hall_server.usecases import follow_up_desk, reviews
from hall_server.usecases.follow_up_desk import DESK_PAGE, MAX_DESK_PAGE, StatusFilter

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


class AssignBody(BaseModel):
    """``POST /reviews/follow-ups/{id}/assign``: the staff account that takes the case."""

    model_config = ConfigDict(extra="forbid")
    assignee: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")


class AnswerBody(BaseModel):
    """``POST /reviews/follow-ups/{id}/answer``: the answer given to the citizen (整改反馈)."""

    model_config = ConfigDict(extra="forbid")
    # Room for the spaces around the text; the use case bounds the text itself (answer_too_long).
    answer: Text = Field(min_length=1, max_length=2 * MAX_ANSWER_CHARS)


CaseId = Path(min_length=3, max_length=40, pattern=r"^f_[A-Za-z0-9_-]+$")


@router.get("/reviews/follow-ups")
def follow_ups(
    request: Request,
    status: StatusFilter = Query("open"),
    site: str | None = Query(None, pattern=SITE_PATTERN),
    lang: Lang = Query("zh-Hans"),
    limit: int = Query(DESK_PAGE, ge=1, le=MAX_DESK_PAGE),
    cursor: str | None = Query(None, min_length=1, max_length=400),
    caller: Caller = Depends(MANAGER),
) -> dict[str, Any]:
    """Follow-up cases of bad reviews with deadline, working days left and dated steps (``pending``: open
    or answered), overdue first, and the departments' names in ``lang``; who rated is never shown. A page
    of ``limit`` cases; ``next_cursor`` (None at the end) as ``cursor`` gives the next (422
    ``invalid_cursor`` for one no page gave); ``total`` and ``overdue`` count the whole list."""
    return follow_up_desk.follow_ups_answer(hall_of(request), status, site, lang, limit, cursor)


@router.get("/reviews/follow-ups/assignees")
def assignees(request: Request, caller: Caller = Depends(MANAGER)) -> dict[str, Any]:
    """The enabled staff accounts a case can be assigned to."""
    return follow_up_desk.assignees_answer(hall_of(request))


@router.post("/reviews/follow-ups/{case_id}/assign")
def assign_follow_up(body: AssignBody, request: Request, case_id: str = CaseId,
                     caller: Caller = Depends(MANAGER)) -> dict[str, Any]:
    """Give an open case to a staff member (409 ``follow_up_already_answered``, ``follow_up_closed``)."""
    return follow_up_desk.assign(hall_of(request), caller, case_id, body.assignee)


@router.post("/reviews/follow-ups/{case_id}/answer")
def answer_follow_up(body: AnswerBody, request: Request, case_id: str = CaseId,
                     caller: Caller = Depends(MANAGER)) -> dict[str, Any]:
    """Write the case's answer, once (409 ``follow_up_already_answered``, ``follow_up_closed``)."""
    return follow_up_desk.answer(hall_of(request), caller, case_id, body.answer)


@router.post("/reviews/follow-ups/{case_id}/close")
def close_follow_up(request: Request, case_id: str = CaseId,
                    caller: Caller = Depends(MANAGER)) -> dict[str, Any]:
    """Close an answered case (409 ``follow_up_not_answered``); closing a closed case answers it unchanged."""
    return follow_up_desk.close(hall_of(request), caller, case_id)
