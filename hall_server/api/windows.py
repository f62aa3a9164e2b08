"""Window routes of staff: sign in and out of a window, pause (暂停服务) and resume, where am I signed in,
and every window's live state."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from hall_server.api.auth import COUNTER, Caller, hall_of
from hall_server.api.fields import Text
from hall_server.api.languages import Lang
from hall_server.usecases import windows
from hall_server.usecases.windows import Seat

router = APIRouter(tags=["windows"])
WINDOW = Path(min_length=1, max_length=4, pattern=r"^[1-9][0-9]{0,3}$")
SITE_QUERY = Query(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")


class PauseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Text | None = Field(default=None, max_length=200)


def _clerk(caller: Caller) -> str:
    return caller.staff.username if caller.staff else ""


async def seat_at(
    request: Request, window: str = WINDOW, site: str = SITE_QUERY, lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(COUNTER),
) -> Seat:
    return Seat(hall_of(request), site, window, _clerk(caller), lang, str(request.base_url))


@router.post("/windows/{window}/sign-in")
def sign_in(caller: Caller = Depends(COUNTER), seat: Seat = Depends(seat_at)) -> dict[str, Any]:
    """Take the window (one clerk per window, one window per clerk; not a window closed on the plan)."""
    return seat.sign_in()


@router.post("/windows/{window}/sign-out")
def sign_out(caller: Caller = Depends(COUNTER), seat: Seat = Depends(seat_at)) -> dict[str, Any]:
    """Leave the window (once its current ticket is finished, parked or transferred)."""
    return seat.sign_out()


@router.post("/windows/{window}/pause")
def pause(
    body: PauseBody | None = None, caller: Caller = Depends(COUNTER), seat: Seat = Depends(seat_at)
) -> dict[str, Any]:
    """暂停服务: no calls to this window until it resumes; the reason is kept in the counter audit."""
    return seat.pause(body.reason if body else None)


@router.post("/windows/{window}/resume")
def resume(caller: Caller = Depends(COUNTER), seat: Seat = Depends(seat_at)) -> dict[str, Any]:
    """Take calls again after a pause."""
    return seat.resume()


@router.get("/windows/mine")
def mine(
    request: Request, lang: Lang = Query("zh-Hans"), caller: Caller = Depends(COUNTER)
) -> dict[str, Any]:
    """Where the caller is signed in, the ticket there and those parked there (``window`` null: nowhere)."""
    return windows.mine(hall_of(request), _clerk(caller), lang, str(request.base_url))


@router.get("/windows")
def live(
    request: Request, site: str = SITE_QUERY, lang: Lang = Query("zh-Hans"), caller: Caller = Depends(COUNTER)
) -> dict[str, Any]:
    """Every window of the site with its live state: clerk, open / paused / signed out, the current number."""
    return windows.live_windows(hall_of(request), site, lang)
