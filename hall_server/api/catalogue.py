"""Catalogue routes: search (``GET /services``) and one service with its guide (``/services/{code}``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request

from hall_contract import Catalogue, Department, Service
from hall_server.api.auth import KIOSK_OR_STAFF, Caller, hall_of
from hall_server.api.languages import Lang
from hall_server.domain import catalogue as domain
from hall_server.usecases.catalogue import known_department, offered_catalogue, offered_service

router = APIRouter(tags=["catalogue"])


def _department(department: domain.Department, lang: str) -> Department:
    return Department(code=department.code, name=department.name(lang))


def _service(service: domain.Service, lang: str, *, with_guide: bool) -> Service:
    department = domain.default_catalogue().departments[service.department]
    fields: dict[str, Any] = {
        "code": service.code,
        "name": service.name(lang),
        "department": _department(department, lang),
        "queue": service.queue,
        "bookable": service.bookable,
        "pinyin_initials": service.pinyin_initials,
    }
    if with_guide:
        # Left unset (not None) otherwise: search results answer no "guide" key at all.
        fields["guide"] = service.guide(lang)
    return Service(**fields)


@router.get("/services", response_model=Catalogue, response_model_exclude_unset=True)
def services(
    request: Request,
    q: str = Query("", max_length=64),
    lang: Lang = Query("zh-Hans"),
    department: str | None = Query(None, max_length=16),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> Catalogue:
    """Services matching ``q`` (name, code, full pinyin or initials), best first; as the administration
    edited them, without those it switched off."""
    catalogue, disabled = offered_catalogue(hall_of(request))
    if department is not None:
        known_department(department)
    found = [s for s in catalogue.search(q, lang=lang, department=department) if s.code not in disabled]
    return Catalogue(
        services=tuple(_service(s, lang, with_guide=False) for s in found),
        departments=tuple(_department(d, lang) for d in catalogue.departments.values()),
    )


@router.get("/services/{code}", response_model=Service)
def service(
    request: Request, code: str = Path(max_length=16), lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> Service:
    """One service with its one-time-notification guide (materials, steps, time limit, fee, where)."""
    return _service(offered_service(hall_of(request), code), lang, with_guide=True)
