"""Remote assistance on the hall server: the signaling WebSockets and ``GET /assist/status``.

``install(app)`` is called by the app factory. The relay in ``remote_assist`` gets the hall only as
plain callables, looked up on ``app.state.hall`` when they are called.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.concurrency import run_in_threadpool

from hall_contract import AssistStatus
from hall_server.api.auth import KIOSK_OR_STAFF, Caller
from hall_server.usecases.assist_log import record_call
from hall_server.usecases.sites import site_profile
from remote_assist.exchange import CallExchange
from remote_assist.redis_exchange import RedisExchange
from remote_assist.settings import signaling_settings_from_env
from remote_assist.signaling import AssistDirectory, SignalingHub, SignalingSettings


def _directory(app: FastAPI) -> AssistDirectory:
    def hall() -> Any:
        return app.state.hall

    return AssistDirectory(
        kiosk_for_token=lambda token: hall().kiosk_for_token(token),
        staff_for_token=lambda token: hall().staff_for_token(token),
        site_staffed=lambda site, at: hall().site_staffed(site, at),
        now=lambda: hall().clock.now(),
        wait_limit_for=_site_wait_limit,
        record_call=lambda kind, site, at, dims: _in_background(record_call, hall(), kind, site, at, dims),
    )


def _in_background(work: Callable[..., None], *args: Any) -> None:
    # Called on the relay's event loop: the database write must not hold it up.
    asyncio.get_running_loop().run_in_executor(None, work, *args)


def _site_wait_limit(site: str) -> float | None:
    # Site rules are packaged data read once per process: cheap enough for the routing tick.
    try:
        return float(site_profile(site).settings.assist_wait_limit_seconds)
    except KeyError:
        return None


def install(
    app: FastAPI, settings: SignalingSettings | None = None, *, redis_url: str | None = None
) -> SignalingHub:
    """Mount the assist routes on ``app``; the hub is kept on ``app.state.assist``.

    With ``redis_url`` the callers' line, the agents and the calls are shared with the other nodes
    on that Redis; without it they live in this process (one node).
    """

    def shared(hub: SignalingHub) -> CallExchange:
        assert redis_url is not None
        return RedisExchange(redis_url, hub.new_routing)

    hub = SignalingHub(_directory(app), settings or signaling_settings_from_env(),
                       exchange=shared if redis_url else None)
    app.state.assist = hub
    # Revocations reach live sockets through the hall's hook; the relay itself knows nothing of the hall.
    app.state.hall.access.disconnect = hub.disconnect_threadsafe
    app.include_router(hub.api_router())

    router = APIRouter(prefix="/api/v1")

    @router.get("/assist/status", response_model=AssistStatus)
    async def assist_status(request: Request, caller: Caller = Depends(KIOSK_OR_STAFF)) -> dict[str, Any]:
        site = caller.site
        staffed, next_open = (True, None)
        if site is not None:
            hall = request.app.state.hall
            staffed, next_open = await run_in_threadpool(hall.site_staffed, site, hall.clock.now())
        counts = await hub.current_status(site)
        return {
            "staffed_now": staffed,
            "agents_online": counts["agents_online"],
            "callers_waiting": counts["callers_waiting"],
            "next_open": next_open.isoformat() if isinstance(next_open, datetime) else None,
        }

    app.include_router(router)
    return hub
