"""Languages of API text and the site-local rendering of instants."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from hall_server.api.hall_state import HallState
from hall_server.api.site_rules import site_profile

Lang = Literal["zh-Hans", "zh-Hant", "en"]
DEFAULT_TZ_SITE = "HQ"


def site_local(hall: HallState, site: str | None, at: datetime) -> datetime:
    """``at`` in the site's time zone (staff without a site see the demo site's zone)."""
    try:
        profile = site_profile(site or DEFAULT_TZ_SITE)
    except KeyError:
        return at
    return at.astimezone(profile.tz)
