"""The sites a hall server knows and their windows, as ``GET /sites`` answers them in the asked language."""

from __future__ import annotations

from typing import Any

from hall_server.domain.sites import Site, packaged_site_codes
from hall_server.state.hall_state import HallState
from hall_server.usecases.sites import known_site, site_profile


def _describe(site: Site, lang: str) -> dict[str, Any]:
    address = site.addresses.get(lang) or site.addresses.get("zh-Hans", "")
    return {"code": site.code, "name": site.name(lang), "address": address, "timezone": site.timezone_name,
            "kind": site.kind}


def sites_answer(lang: str) -> dict[str, Any]:
    return {"sites": [_describe(site_profile(code), lang) for code in packaged_site_codes()]}


def site_answer(code: str, lang: str) -> dict[str, Any]:
    """One site; Refusal ``unknown_site``."""
    return _describe(known_site(code), lang)


def windows_answer(hall: HallState, code: str, lang: str) -> dict[str, Any]:
    """A site's windows as its rules list them with the administration's edits; Refusal ``unknown_site``."""
    site = known_site(code)
    view = hall.overrides.view()
    return {
        "site": site.code,
        "windows": [
            {"number": w.number, "area": w.area(lang), "name": w.name(lang), "queues": list(w.queues),
             "open": w.open}
            for w in (view.window(site.code, plan) for plan in site.windows)
        ],
    }
