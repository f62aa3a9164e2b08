"""Reviews (好差评): the levels and reasons, rating a transaction, and the follow-up cases of bad ones."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from hall_server.domain.reviews import ReviewError, follow_up_due, review_levels, validate_review
from hall_server.state.hall_state import HallState
from hall_server.store import bookings, events, tickets
from hall_server.store import reviews as store
from hall_server.usecases.caller import Caller
from hall_server.usecases.creating import Create, Created
from hall_server.usecases.event_log import caller_kiosk, review_event
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import known_site


def levels_answer(lang: str) -> dict[str, Any]:
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


def _check_subject(conn: Connection, subject_type: str, subject_id: str, site: str) -> None:
    row: tickets.Ticket | bookings.Booking | None
    if subject_type == "ticket":
        row = tickets.get(conn, subject_id)
    elif subject_type == "booking":
        row = bookings.get(conn, subject_id)
    else:
        return
    if row is None or row.site != site:
        raise Refusal("subject_not_found", f"no {subject_type} {subject_id!r} at this site")


def new_review(
    hall: HallState, caller: Caller, *, site: str | None, level: int, reasons: list[str],
    comment: str | None, subject_type: str, subject_id: str,
) -> Create:
    """Rate a transaction; a level of 2 or less opens a follow-up case due in N working days."""
    where = caller.site_of_request(site)
    known_site(where)
    text = comment.strip() if comment else None
    try:
        validate_review(level, reasons, text)
    except ReviewError as exc:
        raise Refusal(exc.code, exc.message) from exc
    now = hall.now()
    due = follow_up_due(level, now, hall.calendars.site(where))

    def create(conn: Connection) -> Created:
        _check_subject(conn, subject_type, subject_id, where)
        review_id = store.add_review(
            conn, site=where, level=level, reasons=list(reasons), comment=text, subject_type=subject_type,
            subject_id=subject_id, rater=caller.scope, now=now,
        )
        follow_up = None
        case_id = None
        if due is not None:
            case_id = store.open_follow_up(conn, review_id, where, due, now)
            follow_up = {"id": case_id, "due": due.isoformat(), "status": "open"}
        review_event(conn, review_id, level, where, now, subject_type=subject_type, subject_id=subject_id,
                     kiosk=caller_kiosk(caller), case_id=case_id)
        return 201, {"id": review_id, "level": level, "follow_up": follow_up}

    return create


def follow_ups_answer(hall: HallState, status: str | None, site: str | None) -> dict[str, Any]:
    """Follow-up cases of bad reviews with their due dates; who rated is never shown."""
    with hall.db.read() as conn:
        rows = store.follow_ups(conn, status, site)
    cases = [
        {
            "id": r.id,
            "site": r.site,
            "due": r.due.isoformat(),
            "status": r.status,
            "created_at": r.created_at.isoformat(),
            "review": {
                "id": r.review_id,
                "level": r.level,
                "reasons": r.reasons,
                "comment": r.comment,
                "subject": {"type": r.subject_type, "id": r.subject_id},
            },
        }
        for r in rows
    ]
    return {"follow_ups": cases}


def close_follow_up(hall: HallState, case_id: str) -> dict[str, Any]:
    """Mark a follow-up case handled; closing a closed case answers it unchanged."""
    with hall.db.write() as conn:
        was = store.follow_up_status(conn, case_id)
        status = store.close_follow_up(conn, case_id)
        opened = events.follow_up_site(conn, case_id)
        if was == "open" and opened is not None:
            events.append(conn, "follow_up_closed", opened[0], hall.now(), subject=case_id,
                          department=opened[1])
    if status is None:
        raise Refusal("follow_up_not_found", "no such follow-up case")
    return {"id": case_id, "status": status}
