"""Reviews (好差评) and the follow-up cases of bad ones; the rater column is never returned by the API."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Connection, and_, case, false, func, insert, or_, select, tuple_, update

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
    return [FollowUpCase(*row) for row in conn.execute(_filtered(query, status, site))]


class DeskPlace(NamedTuple):
    """Where a case stands in the desk's order (overdue, open, answered, closed; then due, opened, id): a
    page of the desk continues after the last one's place."""

    rank: int
    due: date
    created_at: datetime
    id: str


def _overdue(today: Mapping[str, date]) -> ColumnElement[bool]:
    """Open past its due date, each site's today as its calendar has it."""
    past = [and_(F.c.site == site, F.c.due < day) for site, day in today.items()]
    return and_(F.c.status == "open", or_(*past) if past else false())


def _rank(today: Mapping[str, date]) -> ColumnElement[int]:
    return case((_overdue(today), 0), (F.c.status == "open", 1), (F.c.status == "answered", 2), else_=3)


def _filtered(query: Any, status: str | tuple[str, ...] | None, site: str | None) -> Any:
    if isinstance(status, str):
        query = query.where(F.c.status == status)
    elif status is not None:
        query = query.where(F.c.status.in_(status))
    return query if site is None else query.where(F.c.site == site)


def follow_up_sites(conn: Connection) -> list[str]:
    return list(conn.scalars(select(F.c.site).distinct()))


def follow_up_page(conn: Connection, status: str | tuple[str, ...] | None, site: str | None,
                   today: Mapping[str, date], after: DeskPlace | None,
                   limit: int) -> list[tuple[FollowUpCase, DeskPlace]]:
    """Up to ``limit`` cases in the desk's order after ``after`` (keyset: a case opened meanwhile neither
    repeats nor hides one), each with its place. ``today``: each site's date, for overdue."""
    rank = _rank(today).label("rank")
    query = _filtered(select(*_CASE_COLUMNS, rank).join(R, R.c.id == F.c.review_id), status, site)
    if after is not None:
        query = query.where(tuple_(_rank(today), F.c.due, F.c.created_at, F.c.id) > tuple(after))
    query = query.order_by(rank, F.c.due, F.c.created_at, F.c.id).limit(limit)
    found = []
    for row in conn.execute(query):
        case_ = FollowUpCase(*row[:-1])
        found.append((case_, DeskPlace(row.rank, case_.due, case_.created_at, case_.id)))
    return found


def follow_up_counts(conn: Connection, status: str | tuple[str, ...] | None, site: str | None,
                     today: Mapping[str, date]) -> tuple[int, int]:
    """How many cases the filter holds, and how many of them are overdue."""
    query = _filtered(select(func.count(), func.coalesce(func.sum(case((_overdue(today), 1), else_=0)), 0))
                      .select_from(F), status, site)
    total, overdue = conn.execute(query).one()
    return int(total), int(overdue)


def follow_up(conn: Connection, case_id: str) -> FollowUpCase | None:
    query = select(*_CASE_COLUMNS).join(R, R.c.id == F.c.review_id).where(F.c.id == case_id)
    row = conn.execute(query).first()
    return None if row is None else FollowUpCase(*row)


def change_follow_up(conn: Connection, case_id: str, was: str, **values: object) -> bool:
    """Change a case still in status ``was``; False when another request changed it first."""
    done = conn.execute(update(F).where(F.c.id == case_id, F.c.status == was).values(**values))
    return done.rowcount == 1
