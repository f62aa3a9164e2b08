"""The sites a hall server knows, as ``GET /sites`` answers them in the citizen's language."""

from __future__ import annotations

from typing import Any

from hall_server.domain.sites import Site, packaged_site_codes
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
