"""``Idempotency-Key`` on creating POSTs: a repeat returns the first result; another body is refused.

The result is remembered in the same transaction that creates the thing, so a crash or a concurrent
retry can never leave a creation without its record (or the other way round).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from hall_server.state.hall_state import HallState
from hall_server.store import idempotency
from hall_server.usecases.caller import Caller
from hall_server.usecases.creating import Create
from hall_server.usecases.refusal import Refusal

HEADER = "Idempotency-Key"
_MAX_KEY = 200


def _key(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key or len(key) > _MAX_KEY or not key.isascii() or not key.isprintable():
        raise Refusal("invalid_idempotency_key", f"{HEADER} must be 1-{_MAX_KEY} printable ASCII characters")
    return key


def _fingerprint(request: Request, body: BaseModel | None) -> str:
    payload = body.model_dump(mode="json") if body is not None else None
    text = json.dumps([request.method, request.url.path, payload], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _replay(stored: idempotency.StoredResult, fingerprint: str) -> Response:
    if stored.request_hash != fingerprint:
        raise Refusal("idempotency_key_reused", "this Idempotency-Key was used with another request")
    return Response(
        stored.body,
        status_code=stored.status_code,
        media_type="application/json",
        headers={"Idempotent-Replayed": "true"},
    )


def run_creating(hall: HallState, request: Request, caller: Caller, body: BaseModel | None,
                 create: Create, *, one_statement: bool = False) -> Response:
    """Run ``create`` in a write transaction, honouring the caller's ``Idempotency-Key``.

    ``one_statement``: ``create`` writes with one statement (``Database.write_one``), which then needs no
    transaction of its own when no key is to be remembered with it."""
    key = _key(request)
    if key is None:
        with hall.db.write_one() if one_statement else hall.db.write() as conn:
            status, result = create(conn)
        return JSONResponse(result, status_code=status)
    fingerprint = _fingerprint(request, body)
    try:
        with hall.db.write() as conn:
            stored = idempotency.find(conn, caller.scope, key)
            if stored is not None:
                return _replay(stored, fingerprint)
            status, result = create(conn)
            text = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
            idempotency.remember(conn, caller.scope, key, fingerprint, status, text, hall.now())
    except IntegrityError:
        # A concurrent request with the same key won the race (PostgreSQL): answer with its result.
        with hall.db.read() as conn:
            stored = idempotency.find(conn, caller.scope, key)
        if stored is None:
            raise
        return _replay(stored, fingerprint)
    return Response(text, status_code=status, media_type="application/json")


async def create_in_writer(hall: HallState, request: Request, caller: Caller, body: BaseModel | None,
                           prepare: Callable[[], Create], *, one_statement: bool = False) -> Response:
    """``run_creating`` queued behind the other writers as a coroutine (in arrival order; one at a time on
    SQLite) rather than as a pool thread; ``prepare`` runs first in the same thread, as it may read."""
    return await hall.in_writer(
        lambda: run_creating(hall, request, caller, body, prepare(), one_statement=one_statement))
