"""Catalogue routes: search (``GET /services``) and one service with its guide (``/services/{code}``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query

from hall_server.api.auth import KIOSK_OR_STAFF, Caller
from hall_server.api.languages import Lang
from hall_server.domain.catalogue import Service, default_catalogue
from hall_server.usecases.catalogue import known_department, service_or_refuse

router = APIRouter(tags=["catalogue"])


def _summary(service: Service, lang: str) -> dict[str, Any]:
    department = default_catalogue().departments[service.department]
    return {
        "code": service.code,
        "name": service.name(lang),
        "department": {"code": department.code, "name": department.name(lang)},
        "queue": service.queue,
        "bookable": service.bookable,
        "pinyin_initials": service.pinyin_initials,
    }


@router.get("/services")
def services(
    q: str = Query("", max_length=64),
    lang: Lang = Query("zh-Hans"),
    department: str | None = Query(None, max_length=16),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> dict[str, Any]:
    """Services matching ``q`` (name, code, full pinyin or initials), best first."""
    catalogue = default_catalogue()
    if department is not None:
        known_department(department)
    found = catalogue.search(q, lang=lang, department=department)
    departments = [{"code": d.code, "name": d.name(lang)} for d in catalogue.departments.values()]
    return {"services": [_summary(s, lang) for s in found], "departments": departments}


@router.get("/services/{code}")
def service(
    code: str = Path(max_length=16), lang: Lang = Query("zh-Hans"), caller: Caller = Depends(KIOSK_OR_STAFF)
) -> dict[str, Any]:
    """One service with its one-time-notification guide (materials, steps, time limit, fee, where)."""
    found = service_or_refuse(code)
    guide = found.guide(lang)
    return {
        **_summary(found, lang),
        "guide": {
            "materials": [{"name": m.name, "copies": m.copies, "note": m.note} for m in guide.materials],
            "steps": list(guide.steps),
            "time_limit": guide.time_limit,
            "fee": guide.fee,
            "where": guide.where,
            "legal_basis": guide.legal_basis,
            "notes": list(guide.notes),
        },
    }
