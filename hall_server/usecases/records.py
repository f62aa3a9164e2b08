"""Record queries through the records adapters (every one audited, ID number masked) and the audit log."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from citizen_id.masking import mask_id_number
from hall_server.records.adapter import KINDS, RecordQuery, RecordsUnavailable
from hall_server.state.hall_state import HallState
from hall_server.store import audit
from hall_server.usecases.caller import Caller
from hall_server.usecases.id_numbers import valid_id_number
from hall_server.usecases.identity_budget import count_identity
from hall_server.usecases.presence import Proof, verify_presence
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import site_local

log = logging.getLogger(__name__)


def query_records(
    hall: HallState, caller: Caller, *, kind: str, id_number: str, name: str, start: date | None,
    end: date | None, lang: str, proof: Proof | None,
) -> dict[str, Any]:
    """Records of one kind about a citizen present at the kiosk (``proof``, usecases/presence.py);
    refused kiosk_quota, proof_required, identity_not_verified, unknown_kind, records_unavailable, …"""
    count_identity(hall, caller, id_number)
    if kind not in KINDS:
        raise Refusal("unknown_kind", f"kind must be one of {', '.join(KINDS)}")
    if kind not in hall.records.kinds():
        raise Refusal("records_unavailable", "no system answers this kind of record here")
    now = hall.now()
    today = site_local(caller.site, now).date()
    person = valid_id_number(id_number, today)
    if start and end and start > end:
        raise Refusal("invalid_range", "'from' is after 'to'")
    verify_presence(hall, caller, person, name, proof)
    query = RecordQuery(kind=kind, id_number=person, name=name.strip(), start=start, end=end, lang=lang,
                        today=today)
    try:
        table = hall.records.query(query)
    except RecordsUnavailable as exc:
        raise Refusal("records_unavailable", "the records system did not answer; try again") from exc
    masked = mask_id_number(person)
    with hall.db.write() as conn:
        audit.log_query(conn, now, caller.scope, caller.site, kind, masked, len(table.rows))
    log.info("records query kind=%s id=%s rows=%d by %s", kind, masked, len(table.rows), caller.scope)
    return {
        "kind": kind,
        "title": table.title,
        "columns": [{"key": c.key, "label": c.label} for c in table.columns],
        "rows": [dict(r) for r in table.rows],
        "total_rows": len(table.rows),
        "generated_at": site_local(caller.site, now).isoformat(),
    }


def audit_answer(hall: HallState, limit: int) -> dict[str, Any]:
    """The latest record queries: ID numbers masked, names never stored."""
    with hall.db.read() as conn:
        rows = audit.recent(conn, limit)
    return {"queries": [{**row._asdict(), "at": row.at.isoformat()} for row in rows]}
