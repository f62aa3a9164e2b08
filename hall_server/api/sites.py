"""Site routes: ``GET /sites`` and ``GET /sites/{site}`` (names and addresses in the asked language)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request

from hall_contract.sites import Site, SiteList, WindowList
from hall_server.api.auth import KIOSK_OR_STAFF, Caller, hall_of
from hall_server.api.fields import SITE_PATTERN
from hall_server.api.languages import Lang
from hall_server.usecases import site_list

router = APIRouter(tags=["sites"])


@router.get("/sites", response_model=SiteList)
def list_sites(lang: Lang = Query("zh-Hans"), caller: Caller = Depends(KIOSK_OR_STAFF)) -> dict[str, Any]:
    """Every site of this hall server: code, name, address, time zone and kind (hall or station)."""
    return site_list.sites_answer(lang)


@router.get("/sites/{site}", response_model=Site)
def get_site(site: str = Path(pattern=SITE_PATTERN), lang: Lang = Query("zh-Hans"),
             caller: Caller = Depends(KIOSK_OR_STAFF)) -> dict[str, Any]:
    """One site (a kiosk shows its hall's name in the citizen's language)."""
    return site_list.site_answer(site, lang)


@router.get("/sites/{site}/windows", response_model=WindowList)
def list_windows(request: Request, site: str = Path(pattern=SITE_PATTERN), lang: Lang = Query("zh-Hans"),
                 caller: Caller = Depends(KIOSK_OR_STAFF)) -> dict[str, Any]:
    """The site's windows: number, area, name, the queues served in order, open or not (a station: none)."""
    return site_list.windows_answer(hall_of(request), site, lang)
