"""``POST /records/query`` through the records adapters, and the audit log (``GET /records/audit``)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from citizen_id.id_number import IdNumberError, parse_id_number
from citizen_id.masking import mask_id_number
from hall_server.api.auth import ADMIN, KIOSK_ONLY, Caller, hall_of
from hall_server.api.errors import ApiError
from hall_server.api.fields import Text
from hall_server.api.languages import Lang, site_local
from hall_server.records.adapter import KINDS, RecordQuery, RecordsUnavailable
from hall_server.store import audit

log = logging.getLogger(__name__)
router = APIRouter(tags=["records"])


class RecordQueryBody(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    kind: Text = Field(max_length=64)
    id_number: Text = Field(max_length=32)
    name: Text = Field(min_length=1, max_length=60)
    start: date | None = Field(default=None, alias="from")
    end: date | None = Field(default=None, alias="to")
    lang: Lang = "zh-Hans"


@router.post("/records/query")
def query_records(
    body: RecordQueryBody, request: Request, caller: Caller = Depends(KIOSK_ONLY)
) -> dict[str, Any]:
    """Records of one kind about a citizen (kiosk); every query is audited with the ID number masked."""
    hall = hall_of(request)
    if body.kind not in KINDS:
        raise ApiError(422, "unknown_kind", f"kind must be one of {', '.join(KINDS)}")
    if body.kind not in hall.records.kinds():
        raise ApiError(503, "records_unavailable", "no system answers this kind of record here")
    now = hall.now()
    today = site_local(hall, caller.site, now).date()
    try:
        id_number = parse_id_number(body.id_number, today=today).value
    except IdNumberError as exc:
        raise ApiError(
            422, "invalid_id_number", "the ID number is not valid", details={"reason": exc.detail}
        ) from exc
    if body.start and body.end and body.start > body.end:
        raise ApiError(422, "invalid_range", "'from' is after 'to'")
    query = RecordQuery(
        kind=body.kind,
        id_number=id_number,
        name=body.name.strip(),
        start=body.start,
        end=body.end,
        lang=body.lang,
        today=today,
    )
    try:
        table = hall.records.query(query)
    except RecordsUnavailable as exc:
        raise ApiError(503, "records_unavailable", "the records system did not answer; try again") from exc
    masked = mask_id_number(id_number)
    with hall.db.write() as conn:
        audit.log_query(conn, now, caller.scope, caller.site, body.kind, masked, len(table.rows))
    log.info("records query kind=%s id=%s rows=%d by %s", body.kind, masked, len(table.rows), caller.scope)
    return {
        "kind": body.kind,
        "title": table.title,
        "columns": [{"key": c.key, "label": c.label} for c in table.columns],
        "rows": [dict(r) for r in table.rows],
        "total_rows": len(table.rows),
        "generated_at": site_local(hall, caller.site, now).isoformat(),
    }


@router.get("/records/audit")
def records_audit(
    request: Request, limit: int = Query(100, ge=1, le=1000), caller: Caller = Depends(ADMIN)
) -> dict[str, Any]:
    """The latest record queries (admin): ID numbers masked, names never stored."""
    hall = hall_of(request)
    with hall.db.read() as conn:
        rows = audit.recent(conn, limit)
    return {"queries": [{**row, "at": row["at"].isoformat()} for row in rows]}
