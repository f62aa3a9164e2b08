"""Reviews (好差评) and the follow-up cases of bad ones; the rater column is never returned by the API."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Connection, insert, select, update

from hall_server.store import models as m

R = m.reviews
F = m.follow_ups


class FollowUpCase(NamedTuple):
    """A follow-up case with the review it follows (never who rated)."""

    id: str
    site: str
    due: date
    status: str
    created_at: datetime
    review_id: str
    level: int
    reasons: list[str]
    comment: str | None
    subject_type: str
    subject_id: str
    assignee: str | None = None
    assigned_at: datetime | None = None
    answer: str | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None


def add_review(
    conn: Connection,
    *,
    site: str,
    level: int,
    reasons: list[str],
    comment: str | None,
    subject_type: str,
    subject_id: str,
    rater: str,
    now: datetime,
    window: str | None = None,
    clerk: str | None = None,
) -> str:
    review_id = "r_" + secrets.token_urlsafe(12)
    conn.execute(
        insert(R).values(
            id=review_id,
            site=site,
            level=level,
            reasons=reasons,
            comment=comment,
            subject_type=subject_type,
            subject_id=subject_id,
            rater=rater,
            created_at=now,
            window_number=window,
            clerk=clerk,
        )
    )
    return review_id


def ticket_reviewed(conn: Connection, ticket_id: str) -> bool:
    """Whether a review of the ticket exists (from its window's pad or elsewhere)."""
    found = select(R.c.id).where(R.c.subject_type == "ticket", R.c.subject_id == ticket_id).limit(1)
    return conn.execute(found).first() is not None


def open_follow_up(conn: Connection, review_id: str, site: str, due: date, now: datetime) -> str:
    case_id = "f_" + secrets.token_urlsafe(12)
    conn.execute(
        insert(F).values(id=case_id, review_id=review_id, site=site, due=due, status="open", created_at=now)
    )
    return case_id


_CASE_COLUMNS = (F.c.id, F.c.site, F.c.due, F.c.status, F.c.created_at, R.c.id.label("review_id"), R.c.level,
                 R.c.reasons, R.c.comment, R.c.subject_type, R.c.subject_id, F.c.assignee, F.c.assigned_at,
                 F.c.answer, F.c.answered_at, F.c.answered_by, F.c.closed_at, F.c.closed_by)


def follow_ups(conn: Connection, status: str | tuple[str, ...] | None,
               site: str | None) -> list[FollowUpCase]:
    """Cases of one status (or of several), earliest due first."""
    query = select(*_CASE_COLUMNS).join(R, R.c.id == F.c.review_id).order_by(F.c.due, F.c.created_at, F.c.id)
    if isinstance(status, str):
        query = query.where(F.c.status == status)
    elif status is not None:
        query = query.where(F.c.status.in_(status))
    if site is not None:
        query = query.where(F.c.site == site)
    return [FollowUpCase(*row) for row in conn.execute(query)]


def follow_up(conn: Connection, case_id: str) -> FollowUpCase | None:
    query = select(*_CASE_COLUMNS).join(R, R.c.id == F.c.review_id).where(F.c.id == case_id)
    row = conn.execute(query).first()
    return None if row is None else FollowUpCase(*row)


def change_follow_up(conn: Connection, case_id: str, was: str, **values: object) -> bool:
    """Change a case still in status ``was``; False when another request changed it first."""
    done = conn.execute(update(F).where(F.c.id == case_id, F.c.status == was).values(**values))
    return done.rowcount == 1
