"""The sites of a hall server: ``GET /sites`` and ``GET /sites/{site}``, names in the asked language."""

from __future__ import annotations

from typing import Literal

from hall_contract.base import Answer

SiteKind = Literal["hall", "station"]


class Site(Answer):
    """A hall (windows, counters, bookings) or a smart station (self-service and video help only)."""

    code: str
    name: str = ""
    address: str = ""
    timezone: str = "Asia/Shanghai"
    kind: SiteKind = "hall"


class SiteList(Answer):
    sites: tuple[Site, ...] = ()


class Window(Answer):
    """A service window (窗口) of a hall: its number, area and name in the asked language, the queues it
    serves in order, and whether it is open on the site's plan."""

    number: str
    area: str = ""
    name: str = ""
    queues: tuple[str, ...] = ()
    open: bool = True


class WindowList(Answer):
    site: str
    windows: tuple[Window, ...] = ()
