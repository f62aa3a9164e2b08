"""Reviews (好差评): the levels and reasons, submitting a review, and the follow-up cases of bad ones."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from hall_server.api.auth import ADMIN, KIOSK_OR_STAFF, Caller, hall_of
from hall_server.api.errors import ApiError
from hall_server.api.fields import SITE_PATTERN, Text
from hall_server.api.idempotency import run_creating
from hall_server.api.languages import Lang
from hall_server.api.site_rules import site_or_404
from hall_server.api.tickets import caller_site
from hall_server.domain.reviews import ReviewError, follow_up_due, review_levels, validate_review
from hall_server.store import bookings, tickets
from hall_server.store import reviews as store

router = APIRouter(tags=["reviews"])


class Subject(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["ticket", "booking", "assist_call", "kiosk_transaction"]
    id: Text = Field(min_length=1, max_length=80)


class ReviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: int
    reasons: list[Text] = Field(default_factory=list, max_length=20)
    comment: Text | None = Field(default=None, max_length=2000)
    subject: Subject
    site: Text | None = Field(default=None, min_length=1, max_length=32)


@router.get("/reviews/reasons")
def reasons(lang: Lang = Query("zh-Hans"), caller: Caller = Depends(KIOSK_OR_STAFF)) -> dict[str, Any]:
    """The five levels (5 非常满意 … 1 非常不满意) with the reasons offered for each."""
    return {
        "levels": [
            {
                "level": lv.level,
                "label": lv.label(lang),
                "bad": lv.bad,
                "reasons": [{"code": r.code, "label": r.label(lang)} for r in lv.reasons],
            }
            for lv in review_levels()
        ]
    }


def _check_subject(conn: Connection, subject: Subject, site: str) -> None:
    if subject.type == "ticket":
        row = tickets.get(conn, subject.id)
    elif subject.type == "booking":
        row = bookings.get(conn, subject.id)
    else:
        return
    if row is None or row["site"] != site:
        raise ApiError(404, "subject_not_found", f"no {subject.type} {subject.id!r} at this site")


@router.post("/reviews", status_code=201)
def post_review(body: ReviewBody, request: Request, caller: Caller = Depends(KIOSK_OR_STAFF)) -> Response:
    """Rate a transaction; a level of 2 or less opens a follow-up case due in N working days."""
    hall = hall_of(request)
    site = caller_site(caller, body.site)
    site_or_404(site)
    comment = body.comment.strip() if body.comment else None
    try:
        validate_review(body.level, body.reasons, comment)
    except ReviewError as exc:
        raise ApiError(422, exc.code, exc.message) from exc
    now = hall.now()
    due = follow_up_due(body.level, now, hall.calendars.site(site))

    def create(conn: Connection) -> tuple[int, dict[str, Any]]:
        _check_subject(conn, body.subject, site)
        review_id = store.add_review(
            conn,
            site=site,
            level=body.level,
            reasons=list(body.reasons),
            comment=comment,
            subject_type=body.subject.type,
            subject_id=body.subject.id,
            rater=caller.scope,
            now=now,
        )
        follow_up = None
        if due is not None:
            case_id = store.open_follow_up(conn, review_id, site, due, now)
            follow_up = {"id": case_id, "due": due.isoformat(), "status": "open"}
        return 201, {"id": review_id, "level": body.level, "follow_up": follow_up}

    return run_creating(request, caller, body, create)


@router.get("/reviews/follow-ups")
def follow_ups(
    request: Request,
    status: Literal["open", "closed"] | None = Query("open"),
    site: str | None = Query(None, pattern=SITE_PATTERN),
    caller: Caller = Depends(ADMIN),
) -> dict[str, Any]:
    """Follow-up cases of bad reviews with their due dates (admin); who rated is never shown."""
    hall = hall_of(request)
    with hall.db.read() as conn:
        rows = store.follow_ups(conn, status, site)
    cases = [
        {
            "id": r["id"],
            "site": r["site"],
            "due": r["due"].isoformat(),
            "status": r["status"],
            "created_at": r["created_at"].isoformat(),
            "review": {
                "id": r["review_id"],
                "level": r["level"],
                "reasons": r["reasons"],
                "comment": r["comment"],
                "subject": {"type": r["subject_type"], "id": r["subject_id"]},
            },
        }
        for r in rows
    ]
    return {"follow_ups": cases}


@router.post("/reviews/follow-ups/{case_id}/close")
def close_follow_up(
    request: Request,
    case_id: str = Path(min_length=3, max_length=40, pattern=r"^f_[A-Za-z0-9_-]+$"),
    caller: Caller = Depends(ADMIN),
) -> dict[str, Any]:
    """Mark a follow-up case handled (admin); closing a closed case answers it unchanged."""
    hall = hall_of(request)
    with hall.db.write() as conn:
        status = store.close_follow_up(conn, case_id)
    if status is None:
        raise ApiError(404, "follow_up_not_found", "no such follow-up case")
    return {"id": case_id, "status": status}
