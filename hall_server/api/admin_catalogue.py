"""Administration routes for the catalogue and the windows (role admin changes; a manager may read)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from hall_server.api.auth import ADMIN, MANAGER, Caller, hall_of
from hall_server.api.fields import SITE_PATTERN, Text
from hall_server.usecases import admin_services, admin_windows

router = APIRouter(tags=["administration"])
Lang = Literal["zh-Hans", "zh-Hant", "en"]


class ServiceTexts(BaseModel):
    """The texts of one language to change; a field left out keeps its current text."""

    model_config = ConfigDict(extra="forbid")
    name: Text | None = Field(None, min_length=1, max_length=100)
    where: Text | None = Field(None, min_length=1, max_length=500)
    time_limit: Text | None = Field(None, min_length=1, max_length=500)
    fee: Text | None = Field(None, min_length=1, max_length=500)
    legal_basis: Text | None = Field(None, min_length=1, max_length=500)
    steps: list[Text] | None = Field(None, min_length=1, max_length=30)
    notes: list[Text] | None = Field(None, max_length=30)


class ServiceEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: StrictBool | None = None
    texts: dict[Lang, ServiceTexts] | None = None


class WindowNames(BaseModel):
    model_config = ConfigDict(extra="forbid")
    zh_hans: Text = Field(alias="zh-Hans", max_length=40)
    zh_hant: Text = Field(alias="zh-Hant", max_length=40)
    en: Text = Field(max_length=40)


class WindowEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queues: list[Text] | None = Field(None, min_length=1, max_length=16)
    names: WindowNames | None = None
    open: StrictBool | None = None


def _lines(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [v.strip() for v in values if v.strip()]


@router.get("/admin/services")
def services(request: Request, caller: Caller = Depends(MANAGER)) -> dict[str, Any]:
    """Every service with its texts in the three languages as offered now, edited or not, offered or not."""
    return admin_services.services_listing(hall_of(request))


@router.put("/admin/services/{code}")
def edit_service(body: ServiceEdit, request: Request, code: str = Path(max_length=16),
                 caller: Caller = Depends(ADMIN)) -> dict[str, Any]:
    """Change a service's names or guide texts, or whether it is offered (audited)."""
    texts: dict[str, dict[str, Any]] = {lang: {k: _lines(v) if isinstance(v, list) else v.strip()
                    for k, v in fields.model_dump(exclude_none=True).items()}
             for lang, fields in (body.texts or {}).items()}
    return admin_services.edit_service(hall_of(request), caller, code, body.enabled, texts or None)


@router.delete("/admin/services/{code}")
def reset_service(request: Request, code: str = Path(max_length=16),
                  caller: Caller = Depends(ADMIN)) -> dict[str, Any]:
    """Back to the shipped texts, offered (audited)."""
    return admin_services.reset_service(hall_of(request), caller, code)


@router.get("/admin/windows")
def windows(request: Request, site: str = Query(pattern=SITE_PATTERN),
            caller: Caller = Depends(MANAGER)) -> dict[str, Any]:
    """The site's windows as in force: the queues each serves in order, names, open or closed."""
    return admin_windows.windows_listing(hall_of(request), site)


@router.put("/admin/windows/{window}")
def edit_window(body: WindowEdit, request: Request, window: str = Path(max_length=8),
                site: str = Query(pattern=SITE_PATTERN), caller: Caller = Depends(ADMIN)) -> dict[str, Any]:
    """Change the queues a window serves (in the order call-next takes them), its name, open or closed."""
    names = body.names.model_dump(by_alias=True) if body.names is not None else None
    return admin_windows.edit_window(hall_of(request), caller, site, window, body.queues, names, body.open)


@router.delete("/admin/windows/{window}")
def reset_window(request: Request, window: str = Path(max_length=8), site: str = Query(pattern=SITE_PATTERN),
                 caller: Caller = Depends(ADMIN)) -> dict[str, Any]:
    """Back to the window as the site rules ship it (audited)."""
    return admin_windows.reset_window(hall_of(request), caller, site, window)
