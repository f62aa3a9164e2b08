"""Rate limits through the real server: 429 rate_limited with Retry-After, per caller, changing nothing."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import func, select

from hall_server.store import models as m

from .conftest import Hall, ManualTicker

pytestmark = pytest.mark.db

TIGHT = {"rate_limit_burst": 3, "rate_limit_per_s": 1.0}


def assert_rate_limited(reply: httpx.Response, retry_after: int) -> None:
    assert reply.status_code == 429, reply.text
    assert reply.headers["retry-after"] == str(retry_after)
    error = reply.json()["error"]
    assert error["code"] == "rate_limited"
    assert error["retry_after_s"] == retry_after


def ticket_count(hall: Hall) -> int:
    with hall.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(m.tickets)).scalar_one())


def staff_session_count(hall: Hall) -> int:
    with hall.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(m.staff_sessions)).scalar_one())


def login(hall: Hall, username: str, password: str) -> httpx.Response:
    return hall.client().post("/auth/login", json={"username": username, "password": password})


def test_a_kiosk_over_its_burst_is_refused_and_its_refused_ticket_is_never_issued(
    hall_with: Callable[..., Hall], ticker: ManualTicker
) -> None:
    hall = hall_with(**TIGHT)
    kiosk = hall.kiosk()
    kiosk.get("/services")  # the first request looks the token up; later ones count against it
    numbers = [kiosk.post("/tickets", json={"service": "SB-001"}).json()["number"] for _ in range(3)]
    assert numbers == ["B001", "B002", "B003"]
    assert_rate_limited(kiosk.post("/tickets", json={"service": "SB-001"}), retry_after=1)
    assert ticket_count(hall) == 3
    ticker.advance(1.0)
    assert kiosk.post("/tickets", json={"service": "SB-001"}).json()["number"] == "B004"
    assert_rate_limited(kiosk.get("/services"), retry_after=1)


def test_retry_after_says_how_long_until_a_request_is_let_in(
    hall_with: Callable[..., Hall], ticker: ManualTicker
) -> None:
    hall = hall_with(rate_limit_burst=2, rate_limit_per_s=0.25)
    kiosk = hall.kiosk()
    for _ in range(3):  # the first one counts against the address
        assert kiosk.get("/services").status_code == 200
    assert_rate_limited(kiosk.get("/services"), retry_after=4)
    ticker.advance(2.5)
    assert_rate_limited(kiosk.get("/services"), retry_after=2)
    ticker.advance(1.5)
    assert kiosk.get("/services").status_code == 200


def test_callers_are_counted_apart(hall_with: Callable[..., Hall]) -> None:
    hall = hall_with(**TIGHT)
    counter = hall.staff("counter1")  # logging in is a request of the address
    kiosk = hall.kiosk()
    kiosk.get("/services")  # so is a token's first request, which looks it up
    for _ in range(3):
        assert kiosk.get("/services").status_code == 200
    assert_rate_limited(kiosk.get("/services"), retry_after=1)
    assert counter.get("/services").status_code == 200
    assert counter.get("/queues", params={"site": "HQ"}).status_code == 200
    assert_rate_limited(hall.client().get("/tickets/t_unknown"), retry_after=1)


def test_made_up_tokens_count_against_the_address(hall_with: Callable[..., Hall]) -> None:
    hall = hall_with(**TIGHT)
    for n in range(3):
        assert hall.client(f"guess-{n}").get("/services").status_code == 401
    assert_rate_limited(hall.client("guess-3").get("/services"), retry_after=1)
    assert_rate_limited(hall.client().get("/tickets/t_unknown"), retry_after=1)
    page = hall.page("/t/t_unknown")
    assert page.status_code == 429 and page.headers["retry-after"] == "1"


def test_without_rate_limits_nobody_is_refused(hall_with: Callable[..., Hall]) -> None:
    hall = hall_with(rate_limit_enabled=False, rate_limit_burst=1, login_failures_per_username=1)
    kiosk = hall.kiosk()
    assert all(kiosk.get("/services").status_code == 200 for _ in range(5))
    assert all(login(hall, "counter1", "wrong-one").status_code == 401 for _ in range(3))


def test_password_guessing_on_one_username_is_stopped_and_the_stop_wears_off(
    hall_with: Callable[..., Hall], ticker: ManualTicker
) -> None:
    hall = hall_with()
    for _ in range(5):
        assert login(hall, "counter1", "wrong-one").json()["error"]["code"] == "invalid_credentials"
    # Now even the right password is not checked, and no session is made.
    assert_rate_limited(login(hall, "counter1", "demo1234"), retry_after=15)
    assert staff_session_count(hall) == 0
    assert login(hall, "agent1", "demo1234").status_code == 200
    ticker.advance(15)
    assert login(hall, "counter1", "demo1234").status_code == 200
    assert staff_session_count(hall) == 2


def test_successful_logins_do_not_count_as_failures(hall_with: Callable[..., Hall]) -> None:
    hall = hall_with(login_failures_per_username=2)
    for _ in range(6):
        assert login(hall, "counter1", "demo1234").status_code == 200
    assert login(hall, "counter1", "wrong-one").status_code == 401
    assert login(hall, "counter1", "demo1234").status_code == 200


def test_guessing_across_usernames_from_one_address_is_stopped(hall_with: Callable[..., Hall]) -> None:
    hall = hall_with(login_failures_per_address=3)
    for username in ("counter1", "agent1", "tech1"):
        assert login(hall, username, "wrong-one").status_code == 401
    assert_rate_limited(login(hall, "admin", "demo1234"), retry_after=60)
    assert staff_session_count(hall) == 0
    # A refused attempt is not a failure of that username: admin still has all of its own.
    assert hall.app.state.hall.login_limits.wait_s("admin", "127.0.0.1") == 0.0
