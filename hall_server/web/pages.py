"""Serving the hall's web pages: each page's folder, the shared CSS and JS, remote assistance's call script.

Pages are static files with no build step, one folder each under ``pages/`` served at ``/<folder>/``
(the staff console at ``/console/``, the management web at ``/manage/``); they share ``static/hall.css``
and the ES module ``static/hall.js`` (the API, the live stream, the languages) at ``/static/``. The
console's video call is remote assistance's own script, served from that package at
``remote_assist.web_files.WEB_PATH``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import FileResponse

from remote_assist.web_files import WEB_DIR as ASSIST_WEB_DIR
from remote_assist.web_files import WEB_PATH as ASSIST_WEB_PATH

WEB_DIR = Path(__file__).resolve().parent
PAGES_DIR = WEB_DIR / "pages"
STATIC_DIR = WEB_DIR / "static"
STATIC_PATH = "/static"
PAGES = ("console", "manage", "pad", "phone")
# The calling screens' scripts and styles; their pages are routes of web/calling_screens.py.
DISPLAY_FILES_PATH = "/display/files"
FAVICON = STATIC_DIR / "favicon.svg"


async def favicon(_request: Request) -> FileResponse:
    """The hall's icon where browsers look for it first (an SVG: every browser the hall supports reads it)."""
    return FileResponse(FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


def install(app: FastAPI) -> None:
    """Mount the pages, the shared files and the call script on ``app``."""
    app.router.add_route("/favicon.ico", favicon, methods=["GET"], include_in_schema=False)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="static")
    app.mount(ASSIST_WEB_PATH, StaticFiles(directory=ASSIST_WEB_DIR), name="assist-web")
    app.mount(DISPLAY_FILES_PATH, StaticFiles(directory=WEB_DIR / "display"), name="display-files")
    for page in PAGES:
        app.mount(f"/{page}", StaticFiles(directory=PAGES_DIR / page, html=True), name=page)
