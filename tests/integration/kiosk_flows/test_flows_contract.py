"""The hall's real answers against hall_contract: every field the hall sends is declared there (an
answer model ignores unknown fields, so without this a new field could go unnoticed)."""

from __future__ import annotations

import typing
from datetime import date
from typing import Any

from pydantic import BaseModel

from hall_contract import (
    AssistStatus,
    Booking,
    Calendar,
    Catalogue,
    HeartbeatReply,
    ReviewLevels,
    Service,
    SlotList,
    Ticket,
)
from kiosk.hall_client import API_PREFIX, HallClient

WEDNESDAY = date(2026, 11, 25)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    # Inside tuple[X, ...], X | None, dict[str, X] and Annotated[...]: the models they hold.
    return [inner for arg in typing.get_args(annotation) if arg is not Ellipsis and not isinstance(arg, str)
            for inner in _models_in(arg)]


def undeclared(model: type[BaseModel], data: Any, where: str = "") -> list[str]:
    """Paths of the fields in ``data`` that ``model`` (and the models it holds) does not declare."""
    if not isinstance(data, dict):
        return []
    fields = {f.alias or name: f for name, f in model.model_fields.items()}
    missing = [f"{where}{key}" for key in data if key not in fields]
    for key, field in fields.items():
        value = data.get(key)
        for inner in _models_in(field.annotation):
            items = value if isinstance(value, list) else [value]
            for item in items:
                missing.extend(undeclared(inner, item, f"{where}{key}."))
    return sorted(set(missing))


def _get(hall: HallClient, path: str, **params: Any) -> Any:
    reply = hall._http.get(f"{hall.base_url}{API_PREFIX}{path}", params=params, timeout=5)
    assert reply.status_code < 400, reply.text
    return reply.json()


def test_every_field_the_hall_answers_is_declared(wednesday_morning: Any) -> None:
    with wednesday_morning.client() as hall:
        found = _get(hall, "/services", lang="en")
        code = next(s["code"] for s in found["services"] if s["bookable"])
        answers: list[tuple[type[BaseModel], Any]] = [
            (Catalogue, found),
            (Service, _get(hall, f"/services/{code}", lang="en")),
            (Calendar, _get(hall, "/sites/HQ/calendar", **{"from": "2026-11-23", "to": "2026-11-29"})),
            (SlotList, slots := _get(hall, "/sites/HQ/slots", service=code, date=WEDNESDAY.isoformat())),
            (ReviewLevels, _get(hall, "/reviews/reasons")),
            (AssistStatus, _get(hall, "/assist/status")),
        ]
        slot = next(s["id"] for s in slots["slots"] if s["bookable"])
        booking = hall.create_booking(code, slot, "110101199003074477", "张三", idempotency_key="c1")
        answers.append((Booking, _get(hall, f"/bookings/{booking.id}")))
        ticket = hall.create_ticket(code, idempotency_key="c2")
        answers.append((Ticket, _get(hall, f"/tickets/{ticket.id}")))
        beat = hall._http.post(f"{hall.base_url}{API_PREFIX}/kiosks/heartbeat",
                               json={"app_version": "t", "uptime_s": 1}, timeout=5).json()
        answers.append((HeartbeatReply, beat))
    problems = {model.__name__: undeclared(model, data) for model, data in answers}
    assert {name: paths for name, paths in problems.items() if paths} == {}
