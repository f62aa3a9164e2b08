"""``/rate/{site}/{n}``: the rating pad page of a window (its script and style are served at ``/pad/``)."""

from __future__ import annotations

import re
from functools import cache

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from hall_server.usecases.sites import site_profile
from hall_server.web.pages import PAGES_DIR

router = APIRouter(include_in_schema=False)
_SITE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
# The page holds a device token (in localStorage): it runs only its own scripts, talks only to its hall, and
# sends no Referer that could carry its address.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; connect-src 'self'; "
                               "style-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
NOT_FOUND = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">
<link rel="stylesheet" href="/static/hall.css"><title>未找到 / Not found</title></head>
<body><main class="card" style="margin: 24px auto; max-width: 560px">
<h1>没有这个窗口</h1>
<p>No such window at this hall. Check the address of the rating pad.</p></main></body></html>
"""


@cache
def _page() -> str:
    return (PAGES_DIR / "pad" / "index.html").read_text("utf-8")


@router.get("/rate/{site}/{window}", response_class=HTMLResponse)
def rating_pad(site: str, window: str) -> HTMLResponse:
    """The pad's page (public: it shows nothing until the device token, given in ``#token=``, is accepted)."""
    try:
        found = site_profile(site).window(window) if _SITE.match(site) else None
    except KeyError:
        found = None
    if found is None:
        return HTMLResponse(NOT_FOUND, status_code=404, headers=HEADERS)
    return HTMLResponse(_page(), headers=HEADERS)
