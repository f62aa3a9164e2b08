"""Staff sign-in, tokens and the error shape of the hall API."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hall_server.store import identities

from .conftest import Hall

pytestmark = pytest.mark.db


def test_login_returns_a_token_that_identifies_the_staff_member(hall: Hall) -> None:
    reply = hall.client().post("/auth/login", json={"username": "counter1", "password": "demo1234"})
    assert reply.status_code == 200
    body = reply.json()
    assert body["role"] == "counter" and body["username"] == "counter1"
    assert body["display_name"] == "窗口一号"
    assert datetime.fromisoformat(body["expires_at"]) == hall.clock.now() + timedelta(hours=12)
    assert hall.app.state.hall.staff_for_token(body["token"]).username == "counter1"


def test_wrong_password_is_refused_with_a_stable_code(hall: Hall) -> None:
    reply = hall.client().post("/auth/login", json={"username": "counter1", "password": "wrong-one"})
    assert reply.status_code == 401
    assert reply.json()["error"]["code"] == "invalid_credentials"


def test_logout_ends_the_session(hall: Hall) -> None:
    token = hall.staff_token("tech1")
    assert hall.client(token).post("/auth/logout").json() == {"ok": True}
    assert hall.app.state.hall.staff_for_token(token) is None
    assert hall.client(token).post("/auth/logout").status_code == 401


def test_kiosk_token_names_the_kiosk_and_its_site(hall: Hall) -> None:
    kiosk = hall.app.state.hall.kiosk_for_token(hall.kiosk_token)
    assert (kiosk.name, kiosk.site) == ("kiosk-01", "HQ")
    assert hall.app.state.hall.kiosk_for_token("demo-kiosk-token-HQ") is None  # not in demo mode


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[]",
        b'{"username": 3, "password": "x"}',
        b'{"username": "a", "password": "b", "extra": 1}',
        b"\xff\xfe",
    ],
)
def test_malformed_login_bodies_get_invalid_request(hall: Hall, body: bytes) -> None:
    reply = hall.client().post("/auth/login", content=body, headers={"content-type": "application/json"})
    assert reply.status_code == 422
    assert reply.json()["error"]["code"] == "invalid_request"


def test_body_over_64_kib_is_refused_before_parsing(hall: Hall) -> None:
    big = b'{"username": "' + b"a" * (65 * 1024) + b'", "password": "x"}'
    reply = hall.client().post("/auth/login", content=big, headers={"content-type": "application/json"})
    assert reply.status_code == 413
    assert reply.json()["error"]["code"] == "body_too_large"


def test_chunked_body_over_the_limit_is_refused(hall: Hall) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(80):
            yield b"a" * 1024

    reply = hall.client().post("/auth/login", content=chunks(), headers={"content-type": "application/json"})
    assert reply.status_code == 413
    assert reply.json()["error"]["code"] == "body_too_large"


def test_unknown_path_gets_the_error_shape(hall: Hall) -> None:
    reply = hall.client().get("/no/such/thing")
    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "not_found"


def test_idempotency_keys_are_forgotten_after_a_day(hall: Hall) -> None:
    from hall_server.app import sweep_idempotency_keys

    key = {"Idempotency-Key": "k-1"}
    first = hall.kiosk().post("/tickets", json={"service": "SB-001"}, headers=key).json()
    hall.clock.advance(timedelta(hours=23))
    assert sweep_idempotency_keys(hall.app.state.hall) == 0
    assert hall.kiosk().post("/tickets", json={"service": "SB-001"}, headers=key).json()["id"] == first["id"]
    hall.clock.advance(timedelta(hours=2))
    assert sweep_idempotency_keys(hall.app.state.hall) == 1
    hall.clock.set(hall.clock.now().replace(hour=10))  # a working morning again, to take a ticket
    assert hall.kiosk().post("/tickets", json={"service": "SB-001"}, headers=key).json()["id"] != first["id"]


def test_an_unexpected_failure_answers_internal_error_without_details(hall: Hall) -> None:
    @hall.app.get("/api/v1/test-only/boom")
    def boom() -> None:
        raise RuntimeError("secret detail 4401")

    reply = hall.client().get("/test-only/boom")
    assert reply.status_code == 500
    assert reply.json() == {
        "error": {"code": "internal_error", "message": "the server could not complete the request"}
    }


def test_demo_seeding_is_idempotent_and_keeps_the_kiosk_token(hall: Hall, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hall_server.demo import seed_demo

    again = seed_demo(hall.db, hall.clock.now(), tmp_path)
    assert again == hall.kiosk_token
    (tmp_path / "demo-kiosk-token").unlink()
    rotated = seed_demo(hall.db, hall.clock.now(), tmp_path)  # a lost token file means a new token
    assert rotated != hall.kiosk_token
    with hall.db.read() as conn:
        assert identities.kiosk_for_token(conn, rotated) == identities.KioskIdentity("kiosk-01", "HQ")
        assert identities.kiosk_for_token(conn, hall.kiosk_token) is None
    assert (
        hall.client().post("/auth/login", json={"username": "agent1", "password": "demo1234"}).status_code
        == 200
    )
