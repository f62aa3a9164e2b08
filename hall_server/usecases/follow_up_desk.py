"""The 好差评 desk (managers, admins): bad reviews' follow-up cases with their deadlines in working days, and
the dated steps of each: assign to a staff member, answer, close. Each step is an event in the same
transaction (docs/statistics.md), so /stats/reviews follows the desk."""

from __future__ import annotations

import base64
import json
import re
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Connection, select

from hall_server.domain.calendar import SiteCalendar
from hall_server.domain.follow_ups import (
    FollowUpError,
    check_answer,
    check_assign,
    check_close,
    is_overdue,
    working_days_left,
)
from hall_server.domain.reviews import review_levels
from hall_server.state.hall_state import HallState
from hall_server.store import events
from hall_server.store import models as m
from hall_server.store import reviews as store
from hall_server.usecases.caller import Caller
from hall_server.usecases.catalogue import department_names
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import known_site

# A page of the desk: enough for a day's bad reviews in a large hall; a longer list is paged by cursor.
DESK_PAGE = 50
MAX_DESK_PAGE = 200
_CASE_ID = re.compile(r"f_[A-Za-z0-9_-]{1,38}")

StatusFilter = Literal["open", "answered", "closed", "pending", "all"]
_STATUSES: dict[str, str | tuple[str, ...] | None] = {
    "open": "open", "answered": "answered", "closed": "closed", "pending": ("open", "answered"), "all": None}


def _when(cal: SiteCalendar, at: datetime | None) -> str | None:
    return None if at is None else cal.local(at).isoformat()


def case_answer(hall: HallState, case: store.FollowUpCase, department: str | None) -> dict[str, Any]:
    """One case as the desk shows it: the review (never who rated), its place, deadline and dated steps."""
    cal = hall.calendars.site(case.site)
    today = cal.local(hall.now()).date()
    return {
        "id": case.id, "site": case.site, "department": department, "status": case.status,
        "created_at": _when(cal, case.created_at), "due": case.due.isoformat(),
        "working_days_left": working_days_left(cal, today, case.due),
        "overdue": is_overdue(case.status, case.due, today),
        "assignee": case.assignee, "assigned_at": _when(cal, case.assigned_at),
        "answer": case.answer, "answered_at": _when(cal, case.answered_at), "answered_by": case.answered_by,
        "closed_at": _when(cal, case.closed_at), "closed_by": case.closed_by,
        "review": {"id": case.review_id, "level": case.level, "reasons": case.reasons,
                   "comment": case.comment, "subject": {"type": case.subject_type, "id": case.subject_id}},
    }


def follow_ups_answer(hall: HallState, status: StatusFilter, site: str | None, lang: str = "zh-Hans",
                      limit: int = DESK_PAGE, cursor: str | None = None) -> dict[str, Any]:
    """A page of the cases of one status (``pending``: open or answered), overdue first, then open ones by
    due date, then answered, then closed (``desk_order``); ``next_cursor`` continues it (None at the end),
    ``total`` and ``overdue`` count the whole list. Refusals: unknown_site, invalid_cursor."""
    if site is not None:
        known_site(site)
    after = None if cursor is None else read_cursor(cursor)
    with hall.db.read() as conn:
        sites = [site] if site is not None else store.follow_up_sites(conn)
        today = {s: hall.calendars.site(s).local(hall.now()).date() for s in sites}
        page = store.follow_up_page(conn, _STATUSES[status], site, today, after, limit + 1)
        total, overdue = store.follow_up_counts(conn, _STATUSES[status], site, today)
        departments = events.follow_up_departments(conn, [r.id for r, _ in page[:limit]])
    cases = [case_answer(hall, r, departments.get(r.id)) for r, _ in page[:limit]]
    more = len(page) > limit
    reasons = {r.code: r.label(lang) for level in review_levels() for r in level.reasons}
    return {"follow_ups": cases, "next_cursor": write_cursor(page[limit - 1][1]) if more else None,
            "total": total, "overdue": overdue, "department_names": department_names(lang),
            "reason_labels": reasons}


def write_cursor(place: store.DeskPlace) -> str:
    """The place of a page's last case, opaque to the client."""
    text = json.dumps([place.rank, place.due.isoformat(), place.created_at.isoformat(), place.id])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def read_cursor(cursor: str) -> store.DeskPlace:
    """A cursor ``write_cursor`` made; anything else is refused ``invalid_cursor``."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        rank, due, created_at, case_id = json.loads(text)
        place = store.DeskPlace(rank, date.fromisoformat(due), datetime.fromisoformat(created_at), case_id)
        if (type(place.rank) is not int or place.rank not in range(4) or place.created_at.tzinfo is None
                or not isinstance(place.id, str) or not _CASE_ID.fullmatch(place.id)):
            raise ValueError("not a place in the desk's order")
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise Refusal("invalid_cursor", "the cursor is not one a page of this list gave") from exc
    return place


def assignees_answer(hall: HallState) -> dict[str, Any]:
    """The staff accounts a case can be given to (enabled ones), by name."""
    s = m.staff
    with hall.db.read() as conn:
        rows = conn.execute(select(s.c.username, s.c.display_name, s.c.role)
                            .where(s.c.disabled_at.is_(None)).order_by(s.c.role, s.c.username)).all()
    return {"staff": [{"username": r.username, "display_name": r.display_name, "role": r.role} for r in rows]}


def _case(conn: Connection, case_id: str) -> store.FollowUpCase:
    case = store.follow_up(conn, case_id)
    if case is None:
        raise Refusal("follow_up_not_found", "no such follow-up case")
    return case


def _refused(exc: FollowUpError) -> Refusal:
    return Refusal(exc.code, exc.message)


def _event(conn: Connection, kind: events.EventKind, case: store.FollowUpCase, at: datetime,
           **dimensions: str | int | None) -> None:
    where = events.follow_up_opened(conn, case.id) or {"site": case.site}
    site = str(where.pop("site") or case.site)
    span = max(0, round((at - case.created_at).total_seconds()))
    events.append(conn, kind, site, at, subject=case.id, related=case.review_id, span_s=span,
                  **where, **dimensions)


def _answer_one(hall: HallState, case_id: str) -> dict[str, Any]:
    with hall.db.read() as conn:
        case = _case(conn, case_id)
        department = (events.follow_up_opened(conn, case_id) or {}).get("department")
    return case_answer(hall, case, department)


def _changed_meanwhile(conn: Connection, case_id: str) -> Refusal:
    """Another request moved the case between our read and our write: refuse as its new state says."""
    case = _case(conn, case_id)
    code = "follow_up_closed" if case.status == "closed" else "follow_up_already_answered"
    return Refusal(code, f"the follow-up case is {case.status} now")


def assign(hall: HallState, caller: Caller, case_id: str, assignee: str) -> dict[str, Any]:
    """Give an open case to a staff member (again, if need be), dated."""
    now = hall.now()
    with hall.db.write() as conn:
        case = _case(conn, case_id)
        try:
            check_assign(case.status)
        except FollowUpError as exc:
            raise _refused(exc) from exc
        s = m.staff
        known = conn.execute(select(s.c.username).where(s.c.username == assignee,
                                                        s.c.disabled_at.is_(None))).first()
        if known is None:
            raise Refusal("unknown_staff", "no enabled staff account by that name")
        if not store.change_follow_up(conn, case_id, case.status, assignee=assignee, assigned_at=now):
            raise _changed_meanwhile(conn, case_id)
        _event(conn, "follow_up_assigned", case, now, clerk=assignee, detail=_actor(caller))
    return _answer_one(hall, case_id)


def answer(hall: HallState, caller: Caller, case_id: str, text: str) -> dict[str, Any]:
    """Write the answer given to the citizen (整改反馈), dated and signed by the account; once per case."""
    now = hall.now()
    with hall.db.write() as conn:
        case = _case(conn, case_id)
        try:
            written = check_answer(case.status, text)
        except FollowUpError as exc:
            raise _refused(exc) from exc
        if not store.change_follow_up(conn, case_id, "open", status="answered", answer=written,
                                      answered_at=now, answered_by=_actor(caller)):
            raise _changed_meanwhile(conn, case_id)
        cal = hall.calendars.site(case.site)
        left = working_days_left(cal, cal.local(now).date(), case.due)
        _event(conn, "follow_up_answered", case, now, clerk=_actor(caller), value=left)
    return _answer_one(hall, case_id)


def close(hall: HallState, caller: Caller, case_id: str) -> dict[str, Any]:
    """Close an answered case, dated; closing a closed case answers it unchanged."""
    now = hall.now()
    with hall.db.write() as conn:
        case = _case(conn, case_id)
        try:
            changes = check_close(case.status)
        except FollowUpError as exc:
            raise _refused(exc) from exc
        if changes:
            if not store.change_follow_up(conn, case_id, "answered", status="closed", closed_at=now,
                                          closed_by=_actor(caller)):
                case = _case(conn, case_id)
                if case.status != "closed":
                    raise Refusal("follow_up_not_answered", "the follow-up case changed meanwhile")
            else:
                _event(conn, "follow_up_closed", case, now, clerk=_actor(caller))
    return _answer_one(hall, case_id)


def _actor(caller: Caller) -> str | None:
    return caller.staff.username if caller.staff is not None else None
