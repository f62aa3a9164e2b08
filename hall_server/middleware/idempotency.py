"""``Idempotency-Key`` on creating POSTs: a repeat returns the first result; another body is refused.

The result is remembered in the same transaction that creates the thing, so a crash or a concurrent
retry can never leave a creation without its record (or the other way round). A creation of one
statement on PostgreSQL (a walk-in ticket) records the key in that statement, and its answer after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from hall_server.state.hall_state import HallState
from hall_server.store import idempotency
from hall_server.usecases.caller import Caller
from hall_server.usecases.creating import Create, Created
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


def _same_request(stored: idempotency.StoredResult, fingerprint: str) -> None:
    if stored.request_hash != fingerprint:
        raise Refusal("idempotency_key_reused", "this Idempotency-Key was used with another request")


def _replay(stored: idempotency.StoredResult, fingerprint: str) -> Response:
    _same_request(stored, fingerprint)
    return Response(
        stored.body,
        status_code=stored.status_code,
        media_type="application/json",
        headers={"Idempotent-Replayed": "true"},
    )


# How to answer again for what a creation of one statement made (its id), when the answer was not stored.
Resume = Callable[[Connection, str], Created]


def run_creating(hall: HallState, request: Request, caller: Caller, body: BaseModel | None,
                 create: Create, *, one_statement: Resume | None = None) -> Response:
    """Run ``create`` in a write transaction, honouring the caller's ``Idempotency-Key``.

    ``one_statement``: ``create`` writes with one statement, which on PostgreSQL commits by itself
    (``Database.write_one``): without a key that is the whole write; with one, that statement also records
    the key (``idempotency.hold``) and the answer is stored after it (``_one_statement_keyed``)."""
    key = _key(request)
    if key is None:
        with hall.db.write_one() if one_statement is not None else hall.db.write() as conn:
            status, result = create(conn)
        return JSONResponse(result, status_code=status)
    fingerprint = _fingerprint(request, body)
    if one_statement is not None and not hall.db.is_sqlite:
        return _one_statement_keyed(hall, caller.scope, key, fingerprint, create, one_statement)
    try:
        with hall.db.write() as conn:
            stored = idempotency.find(conn, caller.scope, key)
            if stored is not None:
                return _replay(stored, fingerprint)
            status, result = create(conn)
            text = _text(result)
            idempotency.remember(conn, caller.scope, key, fingerprint, status, text, hall.now())
    except IntegrityError:
        # A concurrent request with the same key won the race (PostgreSQL): answer with its result.
        with hall.db.read() as conn:
            stored = idempotency.find(conn, caller.scope, key)
        if stored is None:
            raise
        return _replay(stored, fingerprint)
    return Response(text, status_code=status, media_type="application/json")


def _text(result: object) -> str:
    return json.dumps(result, ensure_ascii=False, separators=(",", ":"))


def _one_statement_keyed(hall: HallState, scope: str, key: str, fingerprint: str, create: Create,
                         resume: Resume) -> Response:
    """A keyed creation of one statement on PostgreSQL: the statement records the key, pending, with the
    id of what it made, and commits both as it ends; the answer is sent then, and stored after it with
    others (``state.pending_answers``; when the work runs off the event loop, by a second statement
    here). The queue's number row is released as the statement ends, where a transaction held it until
    its COMMIT, and a new key costs one round trip where the transaction made five.

    A repeat finds the answer stored, or kept by this node until it is stored, or, while the first
    request has not made it yet (still running, or answered by another node that has not stored it, or
    by a node lost before it did), answers from what was made as it stands now (``resume``). Two requests
    with one key at once: the second's statement fails on the key, taking no number, and it answers as a
    repeat."""
    try:
        with hall.db.write_one() as conn:
            idempotency.hold(conn, scope, key, fingerprint, hall.now())
            try:
                status, result = create(conn)
            finally:
                held = idempotency.release(conn)
            if held is None or not held.recorded:
                raise RuntimeError("a creation of one statement did not record its Idempotency-Key")
            text = _text(result)
            if not hall.answers.keep(scope, key, status, text):
                idempotency.answer_many(conn, [(scope, key, status, text)])
        return Response(text, status_code=status, media_type="application/json")
    except (IntegrityError, Refusal):
        # Not looked up first (a round trip every ticket would pay): a key used before stops the statement
        # (its record is there), and a creation refused now may have been made then (the walk-in stop
        # passed since): either way a repeat answers as the first request did. The kept answer is read
        # before the stored one: stored in between, it is found in the database.
        kept = hall.answers.kept(scope, key)
        with hall.db.read() as conn:
            stored = idempotency.find(conn, scope, key)
        if stored is None:
            raise
    if stored.status_code == idempotency.PENDING and kept is not None:
        stored = idempotency.StoredResult(stored.request_hash, *kept)
    if stored.status_code != idempotency.PENDING:
        return _replay(stored, fingerprint)
    _same_request(stored, fingerprint)
    with hall.db.read() as conn:
        status, result = resume(conn, stored.body)
    return Response(_text(result), status_code=status, media_type="application/json",
                    headers={"Idempotent-Replayed": "true"})


async def create_in_writer(hall: HallState, request: Request, caller: Caller, body: BaseModel | None,
                           prepare: Callable[[], Create], *, one_statement: Resume | None = None) -> Response:
    """``run_creating`` queued behind the other writers as a coroutine (in arrival order; one at a time on
    SQLite) rather than as a pool thread; ``prepare`` runs first in the same thread, as it may read."""
    return await hall.in_writer(
        lambda: run_creating(hall, request, caller, body, prepare(), one_statement=one_statement))
