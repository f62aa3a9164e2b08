"""Every route of the hall API refuses a missing token, an unknown token and a wrong role."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.routing import APIRoute

from hall_server.api.auth import Require
from hall_server.app import own_routers

from .conftest import Hall

pytestmark = pytest.mark.db

# Routes anyone may call: signing in, a ticket by its unguessable id (the citizen's phone, also live),
# checking a certificate (the signing chain, a verification code), a rating pad's page (its API needs the
# pad's token), and the calling screens with their calls and voice clips (no personal data).
PUBLIC = {("POST", "/api/v1/auth/login"), ("GET", "/api/v1/tickets/{ticket_id}"), ("GET", "/t/{ticket_id}"),
          ("GET", "/api/v1/signing-certificate"), ("GET", "/api/v1/verify/{code}"), ("GET", "/v/{code}"),
          ("GET", "/api/v1/tickets/{ticket_id}/stream"), ("GET", "/rate/{site}/{window}"),
          ("GET", "/api/v1/sites/{site}/calls"), ("GET", "/api/v1/sites/{site}/calls/stream"),
          ("GET", "/display/{site}"), ("GET", "/display/{site}/window/{number}"),
          ("GET", "/display/voice/{pack}/{file:path}")}
ROLES = ("counter", "agent", "technician", "admin")
USERS = {"counter": "counter1", "agent": "agent1", "technician": "tech1", "admin": "admin"}
SAMPLE_PARAMS = {"ticket_id": "t_missing", "booking_id": "b_missing", "site": "HQ", "counter": "15",
                 "window": "15", "slot_id": "HQ:SB-001:2026-11-26T09:00", "code": "SB-001",
                 "case_id": "f_missing", "day": "2030-01-02", "username": "nobody", "name": "no-such-kiosk"}


def own_routes(hall: Hall) -> list[tuple[str, str, APIRoute]]:
    found = []
    for prefix, router in own_routers():
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in route.methods:
                found.append((method, prefix + route.path, route))
    return found


def test_the_app_serves_exactly_these_routes_besides_remote_assistance(hall: Hall) -> None:
    served = {(m.upper(), p) for p, item in hall.app.openapi()["paths"].items() for m in item}
    ours = {(m, p) for m, p, r in own_routes(hall) if r.include_in_schema}
    assist = {(m, p) for m, p in served if "/assist" in p and "/stats/" not in p}
    assert served - assist == ours


def requirement(route: APIRoute) -> Require | None:
    for dep in route.dependant.dependencies:
        if isinstance(dep.call, Require):
            return dep.call
    return None


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLE_PARAMS[m.group(1)], path)


def test_every_route_declares_who_may_call_it(hall: Hall) -> None:
    routes = own_routes(hall)
    assert len(routes) >= 20
    undeclared = [(m, p) for m, p, r in routes if requirement(r) is None and (m, p) not in PUBLIC]
    assert undeclared == []


def refused(reply: httpx.Response) -> bool:
    """Turned away for who the caller is (403 ``forbidden``), not for what the request lacks (a 403
    ``proof_required`` is an allowed caller without a proof)."""
    return reply.status_code == 403 and reply.json()["error"]["code"] == "forbidden"


def test_every_protected_route_refuses_missing_unknown_and_wrong_callers(hall: Hall) -> None:
    tokens = {role: hall.staff_token(USERS[role]) for role in ROLES}
    checked = 0
    for method, path, route in own_routes(hall):
        need = requirement(route)
        if need is None or path.endswith("/auth/logout"):  # logout would end the tokens used here
            continue
        url = concrete(path) + ("?site=HQ" if "/counters/" in path or "/windows" in path
                                 or path.endswith("/queues") else "")
        if url.startswith("/api/v1"):
            url = url[len("/api/v1"):]
        body = {} if method in ("POST", "PUT") else None
        assert hall.client().request(method, url, json=body).status_code == 401, (method, path)
        assert hall.client("not-a-token").request(method, url, json=body).status_code == 401, (method, path)
        kiosk_reply = hall.kiosk().request(method, url, json=body)
        assert refused(kiosk_reply) == (not need.kiosk), (method, path, kiosk_reply.text)
        for role in ROLES:
            reply = hall.client(tokens[role]).request(method, url, json=body)
            status = reply.status_code
            allowed = role in need.roles
            assert refused(reply) == (not allowed), (method, path, role, reply.text)
            assert status != 401 and status < 500, (method, path, role, status)
        checked += 1
    assert checked >= 20


def test_admin_may_use_every_staff_route(hall: Hall) -> None:
    for _method, _path, route in own_routes(hall):
        need = requirement(route)
        if need is not None and need.device is None:
            assert "admin" in need.roles
        elif need is not None:  # a device's own route (a citizen's answer at a window's pad): nobody else's
            assert need.roles == frozenset() and not need.kiosk


def test_an_expired_staff_session_is_refused(hall: Hall) -> None:
    from datetime import timedelta

    token = hall.staff_token("tech1")
    assert hall.client(token).get("/fleet").status_code == 200  # the session is now cached
    hall.clock.advance(timedelta(hours=12))
    reply = hall.client(token).get("/fleet")
    assert reply.status_code == 401
    assert reply.json()["error"]["code"] == "unauthorized"
