"""Who may call what: every route of the app (API, pages, signaling sockets) × every kind of caller,
against one table. A route missing from the table, or whose declared guard differs from it, fails."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import Mount, Route

from hall_server.api import auth
from hall_server.api.auth import Require
from hall_server.demo import DEMO_PASSWORD
from hall_server.store import access, devices, identities

from .conftest import Hall, ManualTicker

pytestmark = pytest.mark.db

# The one table: each route's guard, by the name it has in hall_server.api.auth, or PUBLIC.
API: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/auth/login"): "PUBLIC",
    ("POST", "/api/v1/auth/logout"): "ANY_STAFF",
    ("GET", "/api/v1/services"): "KIOSK_OR_STAFF",
    ("GET", "/api/v1/services/{code}"): "KIOSK_OR_STAFF",
    ("GET", "/api/v1/sites/{site}/calendar"): "KIOSK_OR_STAFF",
    ("GET", "/api/v1/sites/{site}/slots"): "KIOSK_OR_STAFF",
    ("PUT", "/api/v1/slots/{slot_id}/capacity"): "COUNTER",
    ("POST", "/api/v1/calendars"): "ADMIN",
    ("GET", "/api/v1/calendars"): "ADMIN",
    ("POST", "/api/v1/bookings"): "KIOSK_OR_STAFF",
    ("GET", "/api/v1/bookings/{booking_id}"): "KIOSK_OR_STAFF",
    ("DELETE", "/api/v1/bookings/{booking_id}"): "KIOSK_OR_STAFF",
    ("POST", "/api/v1/bookings/check-in"): "KIOSK_OR_STAFF",
    ("POST", "/api/v1/bookings/mine"): "KIOSK_ONLY",
    ("POST", "/api/v1/bookings/{booking_id}/move"): "KIOSK_ONLY",
    ("POST", "/api/v1/tickets"): "KIOSK_OR_STAFF",
    ("GET", "/api/v1/tickets/{ticket_id}"): "PUBLIC",
    ("POST", "/api/v1/counters/{counter}/call-next"): "COUNTER",
    ("POST", "/api/v1/counters/{counter}/recall"): "COUNTER",
    ("POST", "/api/v1/counters/{counter}/no-show"): "COUNTER",
    ("POST", "/api/v1/counters/{counter}/start"): "COUNTER",
    ("POST", "/api/v1/counters/{counter}/complete"): "COUNTER",
    ("POST", "/api/v1/counters/{counter}/transfer"): "COUNTER",
    ("POST", "/api/v1/counters/{counter}/call-number"): "COUNTER",
    ("POST", "/api/v1/counters/{counter}/park"): "COUNTER",
    ("POST", "/api/v1/counters/{counter}/unpark"): "COUNTER",
    ("POST", "/api/v1/windows/{window}/sign-in"): "COUNTER",
    ("POST", "/api/v1/windows/{window}/sign-out"): "COUNTER",
    ("POST", "/api/v1/windows/{window}/pause"): "COUNTER",
    ("POST", "/api/v1/windows/{window}/resume"): "COUNTER",
    ("GET", "/api/v1/windows/mine"): "COUNTER",
    ("GET", "/api/v1/windows"): "COUNTER",
    ("GET", "/api/v1/queues"): "COUNTER",
    ("POST", "/api/v1/records/query"): "KIOSK_ONLY",
    ("GET", "/api/v1/records/audit"): "ADMIN",
    ("GET", "/api/v1/reviews/reasons"): "KIOSK_OR_STAFF",
    ("POST", "/api/v1/reviews"): "KIOSK_OR_STAFF",
    ("GET", "/api/v1/reviews/follow-ups"): "MANAGER",
    ("GET", "/api/v1/reviews/follow-ups/assignees"): "MANAGER",
    ("POST", "/api/v1/reviews/follow-ups/{case_id}/assign"): "MANAGER",
    ("POST", "/api/v1/reviews/follow-ups/{case_id}/answer"): "MANAGER",
    ("POST", "/api/v1/reviews/follow-ups/{case_id}/close"): "MANAGER",
    ("POST", "/api/v1/kiosks/heartbeat"): "KIOSK_ONLY",
    ("GET", "/api/v1/fleet"): "TECHNICIAN",
    ("POST", "/api/v1/kiosks/visits"): "KIOSK_ONLY",
    ("GET", "/api/v1/stats/queues"): "MANAGER",
    ("GET", "/api/v1/stats/windows"): "MANAGER",
    ("GET", "/api/v1/stats/reviews"): "MANAGER",
    ("GET", "/api/v1/stats/kiosks"): "MANAGER",
    ("GET", "/api/v1/stats/assist"): "MANAGER",
    ("GET", "/api/v1/stats/live"): "MANAGER",
    ("GET", "/api/v1/assist/status"): "KIOSK_OR_STAFF",
    ("GET", "/t/{ticket_id}"): "PUBLIC",
    ("GET", "/api/v1/sites"): "KIOSK_OR_STAFF",
    ("GET", "/api/v1/sites/{site}"): "KIOSK_OR_STAFF",
    ("GET", "/api/v1/sites/{site}/windows"): "KIOSK_OR_STAFF",
    ("POST", "/api/v1/identity/challenge"): "KIOSK_ONLY",
    ("POST", "/api/v1/records/certificate"): "KIOSK_ONLY",
    ("GET", "/api/v1/signing-certificate"): "PUBLIC",
    ("GET", "/api/v1/verify/{code}"): "PUBLIC",
    ("GET", "/v/{code}"): "PUBLIC",
    ("GET", "/api/v1/sites/{site}/calls"): "PUBLIC",
    ("GET", "/api/v1/sites/{site}/calls/stream"): "PUBLIC",
    ("GET", "/display/{site}"): "PUBLIC",
    ("GET", "/display/{site}/window/{number}"): "PUBLIC",
    ("GET", "/display/voice/{pack}/{file:path}"): "PUBLIC",
    ("GET", "/api/v1/tickets/{ticket_id}/stream"): "PUBLIC",
    ("GET", "/rate/{site}/{window}"): "PUBLIC",
    ("GET", "/api/v1/windows/{window}/pad/stream"): "PAD",
    ("POST", "/api/v1/windows/{window}/pad/review"): "PAD",
    ("GET", "/api/v1/admin/services"): "MANAGER",
    ("PUT", "/api/v1/admin/services/{code}"): "ADMIN",
    ("DELETE", "/api/v1/admin/services/{code}"): "ADMIN",
    ("GET", "/api/v1/admin/windows"): "MANAGER",
    ("PUT", "/api/v1/admin/windows/{window}"): "ADMIN",
    ("DELETE", "/api/v1/admin/windows/{window}"): "ADMIN",
    ("GET", "/api/v1/admin/calendar"): "MANAGER",
    ("PUT", "/api/v1/admin/calendar/days/{day}"): "ADMIN",
    ("DELETE", "/api/v1/admin/calendar/days/{day}"): "ADMIN",
    ("GET", "/api/v1/admin/staff"): "MANAGER",
    ("POST", "/api/v1/admin/staff"): "ADMIN",
    ("PUT", "/api/v1/admin/staff/{username}"): "ADMIN",
    ("POST", "/api/v1/admin/staff/{username}/password"): "ADMIN",
    ("GET", "/api/v1/admin/tokens"): "MANAGER",
    ("POST", "/api/v1/admin/kiosks"): "ADMIN",
    ("POST", "/api/v1/admin/kiosks/{name}/revoke"): "ADMIN",
    ("POST", "/api/v1/admin/kiosks/{name}/rotate"): "ADMIN",
    ("POST", "/api/v1/admin/devices"): "ADMIN",
    ("POST", "/api/v1/admin/devices/{name}/revoke"): "ADMIN",
    ("POST", "/api/v1/admin/devices/{name}/rotate"): "ADMIN",
    ("GET", "/api/v1/admin/audit"): "MANAGER",
}
# Pages and static files: public (the consoles sign in through the API); the path asked of each.
PAGES: dict[str, str] = {
    "/openapi.json": "/openapi.json", "/docs": "/docs", "/docs/oauth2-redirect": "/docs/oauth2-redirect",
    "/static": "/static/", "/assist/web": "/assist/web/", "/console": "/console/",
    "/favicon.ico": "/favicon.ico",
    "/display/files": "/display/files/display.js",
    "/pad": "/pad/pad.js", "/phone": "/phone/phone.js",
    "/manage": "/manage/",
}
# Signaling sockets: who gets a welcome (the rest are refused and closed).
SOCKETS: dict[str, frozenset[str]] = {
    "/ws/assist/kiosk": frozenset({"kiosk", "kiosk_other_site"}),
    "/ws/assist/staff": frozenset({"agent", "admin"}),
}
SAMPLE = {"ticket_id": "t_missing", "booking_id": "b_missing", "site": "HQ", "counter": "15",
          "window": "15", "slot_id": "HQ:SB-001:2026-11-26T09:00", "code": "SB-001", "case_id": "f_missing",
          "number": "15", "pack": "default", "file": "chime.opus", "day": "2026-12-31",
          "username": "matrix-nobody", "name": "matrix-nothing"}
ROLES = {"counter": "counter1", "agent": "agent1", "technician": "tech1", "manager": "manager1",
         "admin": "admin"}
# The kiosk of another site: ST01, the demo's community smart station.
OTHER_SITE = "ST01"
# Floor devices: the pad of window 15 (the sample window), a pad of another window, a display, a revoked pad.
DEVICES = {"pad": "pad", "pad_other_window": "pad", "display": "display"}
REFUSED = ("none", "wrong", "revoked", "device_revoked")
CALLERS = ("none", "wrong", "revoked", "kiosk", "kiosk_other_site", *ROLES, *DEVICES, "device_revoked")


def _walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for route in routes:
        context = getattr(route, "include_context", None)
        if context is not None:  # an included router, kept as such by this FastAPI
            yield from _walk(context.included_router.routes, prefix + context.prefix)
        else:
            yield prefix, route


def route_table(hall: Hall) -> tuple[dict[tuple[str, str], Require | None], set[str], set[str]]:
    """The app's own routes: API routes with their declared guard, page paths, socket paths."""
    api: dict[tuple[str, str], Require | None] = {}
    pages: set[str] = set()
    sockets: set[str] = set()
    for prefix, route in _walk(hall.app.routes):
        if isinstance(route, APIRoute):
            guards = [d.call for d in route.dependant.dependencies if isinstance(d.call, Require)]
            for method in route.methods:
                api[(method, prefix + route.path)] = guards[0] if guards else None
        elif isinstance(route, APIWebSocketRoute):
            sockets.add(prefix + route.path)
        elif isinstance(route, Route | Mount):
            pages.add(prefix + route.path)
        else:
            raise AssertionError(f"a route of an unknown kind: {route!r}")
    return api, pages, sockets


def guard(name: str) -> Require | None:
    if name == "PUBLIC":
        return None
    found = getattr(auth, name)
    assert isinstance(found, Require)
    return found


@pytest.fixture
def tokens(hall: Hall) -> dict[str, str]:
    now = hall.clock.now()
    with hall.db.write() as conn:
        identities.ensure_site(conn, OTHER_SITE, "智慧站", "Asia/Shanghai", now)
        other = identities.add_kiosk(conn, "matrix-other-site", OTHER_SITE, now)
        revoked = identities.add_kiosk(conn, "matrix-revoked", "HQ", now)
        access.revoke_kiosk(conn, "matrix-revoked", now)
        found = {"pad": devices.add_device(conn, "matrix-pad", "HQ", "pad", "15", now),
                 "pad_other_window": devices.add_device(conn, "matrix-pad-16", "HQ", "pad", "16", now),
                 "display": devices.add_device(conn, "matrix-display", "HQ", "display", None, now),
                 "device_revoked": devices.add_device(conn, "matrix-pad-revoked", "HQ", "pad", "15", now)}
        devices.revoke_device(conn, "matrix-pad-revoked", now)
    found |= {"wrong": "not-a-token", "revoked": revoked, "kiosk": hall.kiosk_token,
              "kiosk_other_site": other}
    return found | {role: hall.staff_token(user) for role, user in ROLES.items()}


def may_call(need: Require | None, caller: str) -> bool:
    if need is None:
        return True
    if caller in REFUSED:
        return False
    if caller.startswith("kiosk"):
        return need.kiosk
    if caller in DEVICES:
        return need.device == DEVICES[caller]
    return caller in need.roles


def test_every_route_is_in_the_table_with_the_guard_it_declares(hall: Hall) -> None:
    api, pages, sockets = route_table(hall)
    assert set(api) == set(API), "add new routes to the table (and only routes that exist)"
    assert {key: guard(name) for key, name in API.items()} == api
    assert pages == set(PAGES) and sockets == set(SOCKETS)


def test_every_api_route_answers_every_caller_as_the_table_says(hall: Hall, tokens: dict[str, str],
                                                              ticker: ManualTicker) -> None:
    wrong: list[tuple[str, str, str, int]] = []
    for (method, path), name in sorted(API.items()):
        # The rate limits are not what this table tests: a minute per route refills every bucket (tokens
        # out of the identity cache count against the one loopback address).
        ticker.advance(60)
        need = guard(name)
        url = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLE[m.group(1)], path)
        staff_at_site = ("/counters/" in path or "/windows" in path or "/stats/" in path
                         or path.endswith("/queues"))
        params = {"site": "HQ"} if staff_at_site else {}
        for caller in CALLERS:
            token = tokens.get(caller)
            if path.endswith("/auth/logout") and caller in ROLES:  # a fresh session: logout ends it
                login = {"username": ROLES[caller], "password": DEMO_PASSWORD}
                token = hall.client().post("/auth/login", json=login).json()["token"]
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            body = {} if method in ("POST", "PUT", "DELETE") else None
            # An event stream never ends by itself: its status is all this table needs.
            with httpx.stream(method, hall.url + url, params=params, headers=headers, json=body,
                              timeout=30) as reply:
                status = reply.status_code
            if status >= 500:
                ok = False
            elif not may_call(need, caller):
                ok = status == (401 if caller in REFUSED else 403)
            elif caller in ("kiosk_other_site", "pad_other_window"):
                ok = status != 401  # a site rule may still refuse another site's kiosk (403 or 404)
            else:
                ok = status not in (401, 403)
            if not ok:
                wrong.append((method, path, caller, status))
    assert wrong == []


def test_pages_are_public_and_never_fail(hall: Hall, tokens: dict[str, str]) -> None:
    for page, path in PAGES.items():
        for caller in CALLERS:
            token = tokens.get(caller)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            reply = httpx.get(hall.url + path, headers=headers, follow_redirects=True, timeout=30)
            assert reply.status_code not in (401, 403) and reply.status_code < 500, (page, caller)


def test_every_signaling_socket_welcomes_only_whom_the_table_says(hall: Hall, tokens: dict[str, str]) -> None:
    async def first_message(path: str, token: str) -> str:
        url = hall.url.replace("http://", "ws://") + path
        async with websockets.connect(url, ping_interval=None, open_timeout=10) as ws:
            await ws.send(json.dumps({"type": "auth", "token": token}))
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            return str(message["type"] if message["type"] == "welcome" else message["code"])

    async def all_answers() -> list[tuple[str, str, str]]:
        wrong = []
        for path, welcomed in SOCKETS.items():
            for caller in CALLERS:
                answer = await first_message(path, tokens.get(caller, ""))
                expected = "welcome" if caller in welcomed else (
                    "forbidden" if caller in ROLES and path.endswith("/staff") else "unauthorized")
                if answer != expected:
                    wrong.append((path, caller, answer))
        return wrong

    assert asyncio.run(all_answers()) == []
