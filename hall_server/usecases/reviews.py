"""Reviews (好差评): the levels and reasons, rating a transaction, and the follow-up cases of bad ones."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from hall_server.domain.reviews import ReviewError, follow_up_due, review_levels, validate_review
from hall_server.state.hall_state import HallState
from hall_server.store import bookings, tickets
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
