"""The hall answers through hall_contract: every route a kiosk may call declares a contract model as its
``response_model``, and every error code the hall maps to a status is declared in hall_contract.refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

import hall_contract
from hall_contract import refusals
from hall_server.api import errors
from hall_server.api.answers import TicketAnswer, answered_as
from hall_server.api.auth import Require
from hall_server.app import create_app
from hall_server.config import Settings

# Kiosk routes are those whose Require lets a kiosk in, and these public ones (the citizen's phone too).
PUBLIC_JSON = {("GET", "/api/v1/tickets/{ticket_id}"), ("GET", "/api/v1/sites/{site}/calls")}
# The exceptions, each with why: routes with no token that no kiosk reads. Staff-only routes (a Require
# without kiosk=True) are not kiosk routes; the video-help WebSockets are no HTTP routes at all.
NOT_KIOSK: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/auth/login"): "staff sign-in",
    ("GET", "/t/{ticket_id}"): "the tracking page, HTML for the citizen's phone",
    ("GET", "/api/v1/signing-certificate"): "the signing chain, PEM, for anyone checking a certificate",
    ("GET", "/api/v1/verify/{code}"): "a certificate's verification, for whoever holds the paper",
    ("GET", "/v/{code}"): "the verification page, HTML for a phone",
    ("GET", "/api/v1/sites/{site}/calls/stream"): "the calling screens' live events, text/event-stream",
    ("GET", "/display/{site}"): "the waiting area's calling screen, HTML for its TV",
    ("GET", "/display/{site}/window/{number}"): "a window's own display, HTML",
    ("GET", "/display/voice/{pack}/{file:path}"): "a voice pack's clip, audio for the calling screen",
    ("GET", "/api/v1/tickets/{ticket_id}/stream"): "the tracking page's live feed (Server-Sent Events)",
    ("GET", "/rate/{site}/{window}"): "a window's rating pad, HTML for its tablet (its API needs a pad)",
}
# Kiosk routes whose answer is not JSON, each with what it is.
NOT_JSON: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/records/certificate"): "a signed A4 PDF, its code in X-Verification-Code",
}
CONTRACT_MODELS = {
    model for model in vars(hall_contract).values()
    if isinstance(model, type) and issubclass(model, BaseModel)
    and model.__module__.startswith("hall_contract")
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    data = tmp_path_factory.mktemp("hall")
    return create_app(Settings(db_url=f"sqlite:///{data / 'hall.sqlite3'}", data_dir=Path(data)))


def _routes(routes: list[Any]) -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every API route, through included routers (FastAPI keeps them nested)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route.path, route
        elif hasattr(route, "effective_route_contexts"):
            for context in route.effective_route_contexts():
                if isinstance(context.original_route, APIRoute):
                    yield context.path, context.original_route


def _kiosk_may_call(method: str, path: str, route: APIRoute) -> bool:
    required = [dep.call for dep in route.dependant.dependencies if isinstance(dep.call, Require)]
    if not required:
        return (method, path) in PUBLIC_JSON
    return required[0].kiosk


def kiosk_routes(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    return sorted(
        ((method, path, route) for path, route in _routes(app.routes) for method in route.methods
         if _kiosk_may_call(method, path, route)),
        key=lambda found: (found[1], found[0]),
    )


def test_the_walk_finds_the_kiosk_routes(app: FastAPI) -> None:
    found = {(method, path) for method, path, _ in kiosk_routes(app)}
    assert {("GET", "/api/v1/services"), ("POST", "/api/v1/tickets"), ("GET", "/api/v1/tickets/{ticket_id}"),
            ("POST", "/api/v1/kiosks/heartbeat"), ("GET", "/api/v1/assist/status")} <= found
    # Staff-only routes are not kiosk routes.
    assert ("GET", "/api/v1/fleet") not in found and ("POST", "/api/v1/calendars") not in found


def test_every_route_without_a_token_is_listed(app: FastAPI) -> None:
    # A new route without a Require must be placed: a kiosk answer (PUBLIC_JSON) or an exception.
    open_routes = {
        (method, path) for path, route in _routes(app.routes) for method in route.methods
        if not any(isinstance(dep.call, Require) for dep in route.dependant.dependencies)
    }
    assert open_routes == PUBLIC_JSON | set(NOT_KIOSK)


def test_every_kiosk_route_answers_a_contract_model(app: FastAPI) -> None:
    missing = []
    for method, path, route in kiosk_routes(app):
        model = route.response_model
        declared = isinstance(model, type) and any(base in CONTRACT_MODELS for base in model.__mro__)
        if not declared and (method, path) not in NOT_JSON:
            missing.append((method, path, model))
    assert not missing, missing


def test_every_kiosk_answer_is_in_the_openapi_schemas(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    for name in ("Catalogue", "Service", "Guide", "Material", "Calendar", "SlotList", "RecordsResult",
                 "ReviewLevels", "ReviewResult", "HeartbeatReply", "AssistStatus"):
        assert name in schemas, name


def test_every_code_the_hall_maps_to_a_status_is_declared() -> None:
    mapped = set(errors.REFUSAL_STATUS) | set(errors._STATUS_CODES.values())
    mapped |= {"http_error", "internal_error"}
    assert mapped - refusals.REFUSALS == set()


def test_an_error_body_is_the_contracts_error_body() -> None:
    body = errors.error_body("queue_closed", "no walk-in tickets now", extra={"next_open": "08:30"})
    error = {"code": "queue_closed", "message": "no walk-in tickets now", "next_open": "08:30"}
    assert body == {"error": error, "next_open": "08:30"}
    parsed = hall_contract.ErrorBody.model_validate(body)
    assert parsed.error.code == "queue_closed" and parsed.error.details is None
    detailed = errors.error_body("invalid_request", "bad", details=[{"loc": ["body"]}])
    assert detailed == {"error": {"code": "invalid_request", "message": "bad",
                                  "details": [{"loc": ["body"]}]}}


def test_a_creating_route_checks_its_answer_against_the_contract() -> None:
    good = {"id": "t_1", "number": "A001", "where": None}
    assert answered_as(TicketAnswer, lambda _conn: (201, good))(None) == (201, good)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        answered_as(TicketAnswer, lambda _conn: (201, {"number": "A001"}))(None)  # type: ignore[arg-type]
    # A refusal-shaped answer (not 2xx) is not a ticket and is not checked as one.
    assert answered_as(TicketAnswer, lambda _conn: (409, {"x": 1}))(None)[0] == 409  # type: ignore[arg-type]


def test_a_place_no_longer_listed_stays_null_in_the_halls_answer() -> None:
    sent = {"id": "t_1", "number": "A001", "where": None}
    assert TicketAnswer.model_validate(sent).model_dump(mode="json")["where"] is None
    # The kiosk reads that null as empty text.
    assert hall_contract.Ticket.model_validate(sent).where == ""
