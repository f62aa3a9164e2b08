"""The packaged site rules, read once per process, and instants in a site's time zone."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from hall_server.domain.sites import Site, load_site
from hall_server.usecases.refusal import Refusal

DEFAULT_TZ_SITE = "HQ"


@cache
def site_profile(code: str) -> Site:
    """The rules of site ``code``; KeyError when no site of that code is packaged."""
    return load_site(code)


def known_site(code: str) -> Site:
    """The rules of site ``code``; Refusal ``unknown_site`` when there is none."""
    try:
        return site_profile(code)
    except KeyError as exc:
        raise Refusal("unknown_site", f"no site {code!r}") from exc


def site_local(site: str | None, at: datetime) -> datetime:
    """``at`` in the site's time zone (staff without a site see the demo site's zone)."""
    try:
        profile = site_profile(site or DEFAULT_TZ_SITE)
    except KeyError:
        return at
    return at.astimezone(profile.tz)
