"""The waiting area's screens: ``/display/{site}`` (the calling screen), ``/display/{site}/window/{n}`` (one
window's display), and the voice packs' clips at ``/display/voice/{pack}/{file}``.

The pages are static files of ``display/`` (no build step) that read the site and window from their own
address and follow ``/api/v1/sites/{site}/calls/stream``; they are public like the stream.
"""

from __future__ import annotations

from pathlib import Path as FilePath

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from hall_server.api.fields import SITE_PATTERN
from hall_server.state.voice_packs import MEDIA_TYPES
from hall_server.usecases.calls import CallBoard
from hall_server.usecases.sites import site_profile

router = APIRouter(include_in_schema=False)
DISPLAY_DIR = FilePath(__file__).resolve().parent / "display"
NOT_FOUND = """<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8"><link rel="stylesheet" href="/static/hall.css">
<title>未找到 / Not found</title></head>
<body><main class="card" style="margin: 24px auto; max-width: 480px">
<h1>没有这个叫号屏</h1><p>沒有這個叫號屏 · No such calling screen. Check the site code and window number.</p>
</main></body></html>
"""


def _page(name: str) -> HTMLResponse:
    return HTMLResponse((DISPLAY_DIR / name).read_text("utf-8"), headers={"Cache-Control": "no-cache"})


def _site_known(site: str) -> bool:
    try:
        site_profile(site)
    except KeyError:
        return False
    return True


@router.get("/display/voice/{pack}/{file:path}")
def voice_clip(request: Request, file: str, pack: str = Path(pattern=r"^[a-z0-9_-]{1,32}$")) -> Response:
    """A clip its pack's manifest names (nothing else of the folder: no other file, no ``..``)."""
    board = request.app.state.calls
    assert isinstance(board, CallBoard)
    found = board.voices.clip(pack, file)
    if found is None:
        return PlainTextResponse("no such clip", status_code=404)
    # A pack changes only with a restart of the hall: an hour of caching spares the screens' requests.
    cache = {"Cache-Control": "max-age=3600"}
    return FileResponse(found, media_type=MEDIA_TYPES[found.suffix], headers=cache)


@router.get("/display/{site}", response_class=HTMLResponse)
def calling_screen(site: str = Path(pattern=SITE_PATTERN)) -> HTMLResponse:
    """The waiting area's TV: the latest call large, the last calls, people waiting, notice, clock."""
    if not _site_known(site):
        return HTMLResponse(NOT_FOUND, status_code=404)
    return _page("index.html")


@router.get("/display/{site}/window/{number}", response_class=HTMLResponse)
def window_display(site: str = Path(pattern=SITE_PATTERN),
                   number: str = Path(pattern=r"^[1-9][0-9]{0,3}$")) -> HTMLResponse:
    """The display above one window: the number being served, or 暂停服务 / 未开放."""
    if not _site_known(site) or site_profile(site).window(number) is None:
        return HTMLResponse(NOT_FOUND, status_code=404)
    return _page("window.html")
