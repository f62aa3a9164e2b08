"""Record routes: ``POST /records/query`` through the records adapters, and ``GET /records/audit``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from hall_contract import RecordQueryBody, RecordsResult
from hall_server.api.auth import ADMIN, KIOSK_ONLY, Caller, hall_of
from hall_server.usecases import records

router = APIRouter(tags=["records"])


@router.post("/records/query", response_model=RecordsResult)
def query_records(
    body: RecordQueryBody, request: Request, caller: Caller = Depends(KIOSK_ONLY)
) -> dict[str, Any]:
    """Records of one kind about a citizen (kiosk); every query is audited with the ID number masked."""
    return records.query_records(hall_of(request), caller, kind=body.kind, id_number=body.id_number,
                                 name=body.name, start=body.start, end=body.end, lang=body.lang,
                                 proof=body.proof)


@router.get("/records/audit")
def records_audit(
    request: Request, limit: int = Query(100, ge=1, le=1000), caller: Caller = Depends(ADMIN)
) -> dict[str, Any]:
    """The latest record queries (admin): ID numbers masked, names never stored."""
    return records.audit_answer(hall_of(request), limit)
