"""Service guides: browse by department, search by pinyin initials, read the one-time-notification
list, take it away as a QR; served from the on-disk cache when the hall is offline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hall_contract import Catalogue, Department, Material, Service
from kiosk.flows.catalogue_cache import CatalogueCache, refresh
from kiosk.hall_client import HallClient, HallUnreachable
from kiosk.i18n import _

log = logging.getLogger(__name__)

# A QR code of about 700 bytes (version 20 at level M) still scans from a phone held
# at arm's length off a kiosk screen; longer guides are cut with a pointer to the counter.
QR_TEXT_LIMIT_BYTES = 700


@dataclass(frozen=True)
class Sourced:
    """A value and whether it came from the on-disk cache (the hall was unreachable)."""

    catalogue: Catalogue
    from_cache: bool


class GuidesUnavailable(Exception):
    """Neither the hall nor the cache can give a catalogue."""

    code = "guides_unavailable"


def search(catalogue: Catalogue, typed: str) -> list[Service]:
    """Services whose pinyin initials, code or name contain what was typed, best first: the
    initials exactly, initials prefix, code prefix, name, initials anywhere, code anywhere (the
    hall's own search, used while it is reachable, also knows aliases such as 社保查询)."""
    needle = typed.strip().upper()
    if not needle:
        return list(catalogue.services)
    hits: list[tuple[int, int, Service]] = []
    for order, service in enumerate(catalogue.services):
        rank = _rank(service, needle)
        if rank is not None:
            hits.append((rank, order, service))
    return [service for _rank, _order, service in sorted(hits, key=lambda h: (h[0], h[1]))]


def _rank(service: Service, needle: str) -> int | None:
    initials, code = service.pinyin_initials.upper(), service.code.upper()
    ranks = (
        initials == needle or code == needle,
        initials.startswith(needle),
        code.startswith(needle),
        needle in service.name.upper(),
        needle in initials,
        needle in code,
    )
    return next((rank for rank, hit in enumerate(ranks) if hit), None)


def departments(catalogue: Catalogue) -> list[Department]:
    used = {s.department.code for s in catalogue.services}
    return [d for d in catalogue.departments if d.code in used]


def material_text(material: Material, lang: str | None = None) -> str:
    """A material with what the hall notes on it, most often when it is needed (换发、补发时提供) or
    what may stand in for it, so nobody brings what does not apply to them."""
    if not material.note:
        return material.name
    return _("{material} ({condition})", lang).format(material=material.name, condition=material.note)


def take_away_text(service: Service, lang: str | None = None) -> str:
    """The guide as plain text for a QR code a phone can read without a network."""
    lines = [service.name]
    guide = service.guide
    if guide is not None:
        if guide.materials:
            lines.append(_("Materials:", lang))
            for number, material in enumerate(guide.materials, 1):
                extra = f" [{material.copies}]" if material.copies else ""
                lines.append(f"{number}. {material_text(material, lang)}{extra}")
        if guide.time_limit:
            lines.append(_("Time limit: {value}", lang).format(value=guide.time_limit))
        if guide.fee:
            lines.append(_("Fee: {value}", lang).format(value=guide.fee))
        if guide.where:
            lines.append(_("Where: {value}", lang).format(value=guide.where))
    text = "\n".join(lines)
    if len(text.encode("utf-8")) <= QR_TEXT_LIMIT_BYTES:
        return text
    more = "\n" + _("More at the enquiry desk.", lang)
    budget = QR_TEXT_LIMIT_BYTES - len(more.encode("utf-8"))
    cut = text.encode("utf-8")[:budget].decode("utf-8", "ignore")
    return cut.rsplit("\n", 1)[0] + more


class GuidesFlow:
    def __init__(
        self, hall: HallClient, cache: CatalogueCache, max_age: timedelta = timedelta(hours=1)
    ) -> None:
        self.hall = hall
        self.cache = cache
        # How old the cached guides may be before opening the catalogue fetches them all again.
        self.max_age = max_age

    async def catalogue(self, lang: str = "zh_Hans") -> Sourced:
        """Online when possible (and the cache refreshed); the cached copy when offline."""
        try:
            cached = self.cache.load(lang)
            if cached is None or datetime.now(UTC) - cached.saved_at > self.max_age:
                fresh = await refresh(self.hall, self.cache, lang)
                return Sourced(fresh.catalogue, from_cache=False)
            catalogue = await self.hall.call(self.hall.services, None, lang)
            self.cache.save(lang, catalogue, cached.guides)
            return Sourced(catalogue, from_cache=False)
        except HallUnreachable:
            cached = self.cache.load(lang)
            if cached is None:
                raise GuidesUnavailable("the hall is unreachable and nothing is cached") from None
            log.info("hall unreachable: guides from the cache saved %s", cached.saved_at.isoformat())
            return Sourced(cached.catalogue, from_cache=True)

    async def refresh_if_stale(self, lang: str = "zh_Hans") -> bool:
        """Fill or renew the on-disk guides when missing or older than ``max_age``; True if fetched.

        Other screens call this in the background so the guides are there offline even if
        nobody opened them while the hall was reachable.
        """
        cached = self.cache.load(lang)
        if cached is not None and datetime.now(UTC) - cached.saved_at <= self.max_age:
            return False
        await refresh(self.hall, self.cache, lang)
        return True

    async def guide(self, code: str, lang: str = "zh_Hans") -> tuple[Service, bool]:
        """One service with its guide, and whether it came from the cache."""
        try:
            return await self.hall.call(self.hall.service, code, lang), False
        except HallUnreachable:
            cached = self.cache.load(lang)
            if cached is None or code not in cached.guides:
                raise GuidesUnavailable(f"guide {code} is not cached") from None
            return cached.guides[code], True
