"""Administration of the catalogue: a service's names and guide texts in the three languages, and whether
it is offered; stored as overrides over the shipped catalogue (the kiosks read the edited one)."""

from __future__ import annotations

from typing import Any

from hall_server.domain.catalogue import LANGUAGES, Service, default_catalogue
from hall_server.domain.overrides import LIST_FIELDS, TEXT_FIELDS
from hall_server.state.hall_state import HallState
from hall_server.store import overrides
from hall_server.usecases.admin_change import actor_of, audited
from hall_server.usecases.caller import Caller
from hall_server.usecases.refusal import Refusal


def _texts(service: Service) -> dict[str, dict[str, Any]]:
    answer = {}
    for lang in LANGUAGES:
        guide = service.guide(lang)
        answer[lang] = {"name": service.name(lang), "where": guide.where, "time_limit": guide.time_limit,
                        "fee": guide.fee, "legal_basis": guide.legal_basis, "steps": list(guide.steps),
                        "notes": list(guide.notes)}
    return answer


def services_listing(hall: HallState) -> dict[str, Any]:
    """Every shipped service as offered now: its texts, whether it is offered and whether it was edited."""
    view = hall.overrides.view()
    with hall.db.read() as conn:
        edited = overrides.current(conn, "service")
    answer = []
    for service in view.catalogue.services:
        answer.append({"code": service.code, "department": service.department, "queue": service.queue,
                       "enabled": service.code not in view.disabled, "edited": service.code in edited,
                       "texts": _texts(service)})
    return {"services": answer, "fields": {"text": list(TEXT_FIELDS), "list": list(LIST_FIELDS)}}


def _shipped(code: str) -> Service:
    found = default_catalogue().get(code)
    if found is None:
        raise Refusal("unknown_service", f"no service {code!r}", status_hint=404)
    return found


def edit_service(hall: HallState, caller: Caller, code: str, enabled: bool | None,
                 texts: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    """Lay an edit over the service (fields not named keep their current text); Refusal
    ``unknown_service`` (404), ``empty_change``."""
    service = _shipped(code)
    if enabled is None and not any(texts.values() if texts else ()):
        raise Refusal("empty_change", "name what to change: enabled, or some text of a language")

    def change(conn: Any) -> tuple[None, dict[str, Any]]:
        body = overrides.current(conn, "service").get(service.code, {})
        detail: dict[str, Any] = {}
        if enabled is not None:
            body["enabled"] = enabled
            detail["enabled"] = enabled
        for lang, fields in (texts or {}).items():
            if fields:
                body.setdefault("texts", {}).setdefault(lang, {}).update(fields)
                detail.setdefault("texts", {})[lang] = fields
        overrides.put(conn, "service", service.code, body, hall.now(), actor_of(caller))
        return None, detail

    audited(hall, caller, "services", "edit", service.code, change)
    return service_answer(hall, service.code)


def reset_service(hall: HallState, caller: Caller, code: str) -> dict[str, Any]:
    """Withdraw every edit of the service: the shipped texts, offered."""
    service = _shipped(code)

    def change(conn: Any) -> tuple[None, dict[str, Any]]:
        overrides.put(conn, "service", service.code, None, hall.now(), actor_of(caller))
        return None, {}

    audited(hall, caller, "services", "reset", service.code, change)
    return service_answer(hall, service.code)


def service_answer(hall: HallState, code: str) -> dict[str, Any]:
    found = next(s for s in services_listing(hall)["services"] if s["code"] == code)
    return dict(found)
