"""Administration of staff accounts and of kiosk and device tokens through HTTP on a real database: what
each change does to signing in and to the tokens, the audit of it (never a password or a token), and bad
requests refused with a stable code and no change."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from hall_server.store import devices

from .conftest import Hall

pytestmark = pytest.mark.db


def code(reply: httpx.Response) -> tuple[int, str | None]:
    return reply.status_code, reply.json().get("error", {}).get("code")


def audit_rows(hall: Hall, area: str) -> list[dict[str, Any]]:
    return list(hall.staff("manager1").get("/admin/audit", params={"area": area}).json()["entries"])


def login(hall: Hall, username: str, password: str) -> httpx.Response:
    return hall.client().post("/auth/login", json={"username": username, "password": password})


def test_an_account_is_added_given_a_role_disabled_and_given_a_new_password(hall: Hall) -> None:
    admin = hall.staff("admin")
    added = admin.post("/admin/staff", json={"username": "clerk9", "role": "counter",
                                             "display_name": "窗口九", "password": "first-password"})
    assert added.status_code == 201, added.text
    assert added.json() | {"created_at": None} == {"username": "clerk9", "role": "counter",
                                                  "display_name": "窗口九", "disabled": False,
                                                  "created_at": None}
    session = login(hall, "clerk9", "first-password").json()["token"]

    assert admin.put("/admin/staff/clerk9", json={"role": "manager"}).status_code == 200
    # The old session carried the old role: it ends; the next sign-in carries the new one.
    assert hall.client(session).get("/admin/services").status_code == 401
    assert login(hall, "clerk9", "first-password").json()["role"] == "manager"

    assert admin.put("/admin/staff/clerk9", json={"disabled": True}).status_code == 200
    assert code(login(hall, "clerk9", "first-password")) == (401, "invalid_credentials")
    assert admin.put("/admin/staff/clerk9", json={"disabled": False}).status_code == 200

    assert admin.post("/admin/staff/clerk9/password", json={"password": "second-password"}).status_code == 200
    assert code(login(hall, "clerk9", "first-password")) == (401, "invalid_credentials")
    assert login(hall, "clerk9", "second-password").status_code == 200

    listed = hall.staff("manager1").get("/admin/staff").json()
    assert next(a for a in listed["staff"] if a["username"] == "clerk9")["role"] == "manager"
    rows = audit_rows(hall, "staff")
    assert [r["action"] for r in rows] == ["password", "change", "change", "change", "add"]
    assert rows[-2]["detail"] == {"role": {"from": "counter", "to": "manager"}}
    assert all(r["actor"] == "admin" and r["target"] == "clerk9" for r in rows)
    text = json.dumps([rows, listed], ensure_ascii=False)
    assert "first-password" not in text and "second-password" not in text and "scrypt" not in text


@pytest.mark.parametrize(("method", "path", "body", "expected"), [
    ("post", "/admin/staff", {"username": "x1", "role": "counter", "password": "short"},
     (422, "weak_password")),
    ("post", "/admin/staff", {"username": "x1", "role": "boss", "password": "long-enough"},
     (422, "invalid_role")),
    ("post", "/admin/staff", {"username": "a b", "role": "counter", "password": "long-enough"},
     (422, "invalid_name")),
    ("post", "/admin/staff", {"username": "counter1", "role": "counter", "password": "long-enough"},
     (422, "staff_exists")),
    ("post", "/admin/staff", {"username": "x1", "role": "counter"}, (422, "invalid_request")),
    ("put", "/admin/staff/counter1", {}, (422, "empty_change")),
    ("put", "/admin/staff/counter1", {"role": "boss"}, (422, "invalid_role")),
    ("put", "/admin/staff/counter1", {"disabled": "yes"}, (422, "invalid_request")),
    ("put", "/admin/staff/nobody", {"disabled": True}, (404, "unknown_staff")),
    ("put", "/admin/staff/admin", {"disabled": True}, (409, "own_account")),
    ("put", "/admin/staff/admin", {"role": "counter"}, (409, "own_account")),
    ("post", "/admin/staff/counter1/password", {"password": "short"}, (422, "weak_password")),
    ("post", "/admin/staff/nobody/password", {"password": "long-enough"}, (404, "unknown_staff")),
])
def test_a_bad_staff_change_is_refused_and_changes_nothing(
    hall: Hall, method: str, path: str, body: dict[str, Any], expected: tuple[int, str]
) -> None:
    admin = hall.staff("admin")
    before = admin.get("/admin/staff").json()
    assert code(getattr(admin, method)(path, json=body)) == expected
    assert admin.get("/admin/staff").json() == before
    assert login(hall, "counter1", "demo1234").status_code == 200
    assert audit_rows(hall, "staff") == []


def test_a_manager_reads_the_accounts_but_changes_none(hall: Hall) -> None:
    manager = hall.staff("manager1")
    assert manager.get("/admin/staff").status_code == 200
    assert code(manager.put("/admin/staff/counter1", json={"disabled": True})) == (403, "forbidden")
    assert code(manager.post("/admin/kiosks", json={"name": "k9", "site": "HQ"})) == (403, "forbidden")
    assert login(hall, "counter1", "demo1234").status_code == 200


def test_a_kiosk_token_is_shown_once_rotated_and_revoked(hall: Hall) -> None:
    admin = hall.staff("admin")
    added = admin.post("/admin/kiosks", json={"name": "kiosk-09", "site": "HQ"})
    assert added.status_code == 201, added.text
    first = added.json()["token"]
    assert hall.client(first).get("/services").status_code == 200

    reply = admin.post("/admin/kiosks/kiosk-09/rotate")
    assert reply.status_code == 200, reply.text
    rotated = reply.json()["token"]
    assert rotated != first
    assert hall.client(first).get("/services").status_code == 401
    assert hall.client(rotated).get("/services").status_code == 200

    assert admin.post("/admin/kiosks/kiosk-09/revoke").status_code == 200
    assert hall.client(rotated).get("/services").status_code == 401
    listed = admin.get("/admin/tokens").json()
    assert next(k for k in listed["kiosks"] if k["name"] == "kiosk-09")["revoked"] is True

    rows = audit_rows(hall, "tokens")
    assert [r["action"] for r in rows] == ["revoke_kiosk", "rotate_kiosk", "add_kiosk"]
    text = json.dumps([rows, listed])
    assert first not in text and rotated not in text


def test_a_device_token_is_added_at_a_window_rotated_and_revoked(hall: Hall) -> None:
    admin = hall.staff("admin")
    body = {"name": "pad-15b", "site": "HQ", "kind": "pad", "window": "15"}
    added = admin.post("/admin/devices", json=body)
    assert added.status_code == 201, added.text
    token = added.json()["token"]
    with hall.db.read() as conn:
        assert devices.device_for_token(conn, token) is not None
    rotated = admin.post("/admin/devices/pad-15b/rotate").json()["token"]
    assert admin.post("/admin/devices/pad-15b/revoke").status_code == 200
    with hall.db.read() as conn:
        assert devices.device_for_token(conn, token) is None
        assert devices.device_for_token(conn, rotated) is None
    actions = [r["action"] for r in audit_rows(hall, "tokens")]
    assert actions == ["revoke_device", "rotate_device", "add_device"]


@pytest.mark.parametrize(("path", "body", "expected"), [
    ("/admin/kiosks", {"name": "k9", "site": "NOWHERE"}, (422, "unknown_site")),
    ("/admin/kiosks", {"name": "bad name", "site": "HQ"}, (422, "invalid_name")),
    ("/admin/kiosks", {"name": "kiosk-01", "site": "HQ"}, (422, "kiosk_exists")),
    ("/admin/kiosks", {"name": "k9", "site": "HQ", "token": "mine"}, (422, "invalid_request")),
    ("/admin/devices", {"name": "d9", "site": "HQ", "kind": "lamp"}, (422, "invalid_device_kind")),
    ("/admin/devices", {"name": "d9", "site": "HQ", "kind": "pad", "window": "999"}, (422, "unknown_window")),
    ("/admin/kiosks/nothing/revoke", None, (404, "unknown_kiosk")),
    ("/admin/kiosks/nothing/rotate", None, (404, "unknown_kiosk")),
    ("/admin/devices/nothing/revoke", None, (404, "unknown_device")),
])
def test_a_bad_token_change_is_refused_and_changes_nothing(
    hall: Hall, path: str, body: dict[str, Any] | None, expected: tuple[int, str]
) -> None:
    admin = hall.staff("admin")
    before = admin.get("/admin/tokens").json()
    assert code(admin.post(path, json=body)) == expected
    assert admin.get("/admin/tokens").json() == before
    assert audit_rows(hall, "tokens") == []
