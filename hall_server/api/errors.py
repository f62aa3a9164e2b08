"""The one error shape of the API, ``{"error": {"code", "message"}}``, and the handlers that keep it so:
the one place where a use case's Refusal becomes an HTTP status."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from hall_contract import ErrorBody, ErrorDetail
from hall_server.usecases.refusal import Refusal

log = logging.getLogger(__name__)

_STATUS_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "body_too_large", 415: "unsupported_media_type", 422: "invalid_request",
    429: "rate_limited",
}


# The HTTP status of each refusal code; a code not listed is 422 (the request cannot be done as asked).
REFUSAL_STATUS: dict[str, int] = {
    "unauthorized": 401,
    "invalid_credentials": 401,
    "forbidden": 403,
    "booking_suspended": 403,
    "unknown_site": 404,
    "booking_not_found": 404,
    "ticket_not_found": 404,
    "subject_not_found": 404,
    "follow_up_not_found": 404,
    "follow_up_closed": 409,
    "follow_up_already_answered": 409,
    "follow_up_not_answered": 409,
    "no_current_ticket": 404,
    "queue_empty": 404,
    "unknown_window": 404,
    "unknown_day_override": 404,
    "already_reviewed": 409,
    "review_closed": 409,
    "slot_full": 409,
    "duplicate_booking": 409,
    "same_slot": 409,
    "not_cancellable": 409,
    "already_checked_in": 409,
    "capacity_below_booked": 409,
    "queue_closed": 409,
    "counter_busy": 409,
    "window_closed": 409,
    "own_account": 409,
    "window_taken": 409,
    "signed_in_elsewhere": 409,
    "not_signed_in": 409,
    "window_paused": 409,
    "wrong_ticket_state": 409,
    "rate_limited": 429,
    "kiosk_quota": 429,
    "proof_required": 403,
    "identity_not_verified": 403,
    "challenge_expired": 410,
    "records_unavailable": 503,
    "signing_not_configured": 503,
    "documents_unavailable": 503,
    "unknown_verification_code": 404,
    "sms_unavailable": 503,
}


BUSY_RETRY_AFTER_S = 1


def is_database_busy(exc: OperationalError) -> bool:
    """SQLite's lock errors after its busy timeout (the statement itself was fine)."""
    text = str(exc.orig).lower()
    return "database is locked" in text or "database table is locked" in text or "database is busy" in text


def status_of(refusal: Refusal) -> int:
    return refusal.status_hint or REFUSAL_STATUS.get(refusal.code, 422)


def error_body(code: str, message: str, details: Any = None,
               extra: dict[str, Any] | None = None) -> dict[str, Any]:
    # Extra fields (``next_open``, ``ticket_id``) sit both beside the message and at the top level.
    fields = {**({"details": details} if details is not None else {}), **(extra or {})}
    body = ErrorBody(error=ErrorDetail(code=code, message=message, **fields), **(extra or {}))
    return body.model_dump(mode="json", exclude_unset=True)


def error_response(status: int, code: str, message: str, details: Any = None,
                   extra: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(error_body(code, message, details, extra), status_code=status, headers=headers)


def refusal_response(refusal: Refusal) -> JSONResponse:
    headers = None
    if refusal.code in ("rate_limited", "kiosk_quota") and "retry_after_s" in refusal.extra:
        headers = {"Retry-After": str(refusal.extra["retry_after_s"])}
    return error_response(status_of(refusal), refusal.code, refusal.message, refusal.details, refusal.extra,
                          headers)


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors():
        # Input values are left out: they may be ID numbers or names.
        details.append({"loc": [str(part) for part in err.get("loc", ())], "type": str(err.get("type", "")),
                        "msg": str(err.get("msg", ""))})
    return details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Refusal)
    async def _refused(_request: Request, exc: Refusal) -> JSONResponse:
        return refusal_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        if any(d["type"] == "json_invalid" for d in details):
            return error_response(422, "invalid_request", "the body is not valid JSON", details)
        return error_response(422, "invalid_request", "the request does not match the expected fields",
                              details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        message = "no such resource" if exc.status_code == 404 else str(exc.detail)
        return error_response(exc.status_code, code, message)

    @app.exception_handler(OperationalError)
    async def _database(_request: Request, exc: OperationalError) -> JSONResponse:
        if is_database_busy(exc):
            log.warning("database busy: answered 503")
            return error_response(503, "database_busy", "the database is busy; try again shortly",
                                  headers={"Retry-After": str(BUSY_RETRY_AFTER_S)})
        log.error("database error in request", exc_info=exc)
        return error_response(500, "internal_error", "the server could not complete the request")

    @app.exception_handler(PoolTimeout)
    async def _pool(_request: Request, _exc: PoolTimeout) -> JSONResponse:
        # Every connection of the pool was taken for the whole wait: an overload, answered like a busy
        # database (the kiosk retries after Retry-After), never a dropped connection.
        log.warning("database connections all in use: answered 503")
        return error_response(503, "database_busy", "the database is busy; try again shortly",
                              headers={"Retry-After": str(BUSY_RETRY_AFTER_S)})

    @app.exception_handler(Exception)
    async def _last_resort(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled %s in request", type(exc).__name__, exc_info=exc)
        return error_response(500, "internal_error", "the server could not complete the request")
