"""Site rules for the API: the packaged site definitions, read once per process."""

from __future__ import annotations

from functools import cache

from hall_server.api.errors import ApiError
from hall_server.domain.sites import Site, load_site


@cache
def site_profile(code: str) -> Site:
    """The rules of site ``code``; KeyError when no site of that code is packaged."""
    return load_site(code)


def site_or_404(code: str) -> Site:
    try:
        return site_profile(code)
    except KeyError as exc:
        raise ApiError(404, "unknown_site", f"no site {code!r}") from exc
