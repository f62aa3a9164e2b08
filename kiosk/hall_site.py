"""The hall as its screens name it: the site's name in each kiosk language and its time zone
(``GET /sites/{site}?lang=``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hall_contract import Site
from kiosk.i18n import API_LANGUAGE, LANGUAGES

if TYPE_CHECKING:
    from kiosk.hall_client import HallClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HallSite:
    """``names``: kiosk language -> the hall's name in it (a language the hall left empty is
    missing); ``zone``: the hall's time zone, None when this machine does not know its name."""

    code: str
    names: dict[str, str]
    zone: tzinfo | None


def fetch_site(client: HallClient, site: str) -> HallSite:
    """The site's names in the three languages and its zone (blocking: run it through
    ``client.call``). Raises the client's HallError like any call."""
    names: dict[str, str] = {}
    answer: Site | None = None
    for lang in LANGUAGES:
        answer = client.request("GET", f"/sites/{quote(site, safe='')}", Site,
                                params={"lang": API_LANGUAGE[lang]})
        if answer.name.strip():
            names[lang] = answer.name.strip()
    assert answer is not None
    return HallSite(code=answer.code, names=names, zone=_zone(answer.timezone))


def _zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("the hall's time zone %r is unknown here; the kiosk shows its own", name)
        return None
