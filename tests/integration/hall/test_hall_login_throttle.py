"""The sign-in throttle counts per account and address, backs off, and never locks the right password
out for more than a minute; rate limits count the real peer, X-Forwarded-For only from trusted proxies."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from hall_server.state.client_address import ClientAddress

from .conftest import Hall, ManualTicker

pytestmark = pytest.mark.db
PROXIED = {"trusted_proxies": ("127.0.0.0/8",)}


def login(hall: Hall, password: str, forwarded_for: str | None = None,
          username: str = "counter1") -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return hall.client().post("/auth/login", json={"username": username, "password": password},
                              headers=headers)


def test_a_stranger_elsewhere_cannot_lock_a_clerk_out(hall_with: Callable[..., Hall]) -> None:
    hall = hall_with(**PROXIED)
    for _ in range(12):
        assert login(hall, "wrong-one", "203.0.113.9").status_code in (401, 429)
    assert login(hall, "wrong-one", "203.0.113.9").status_code == 429
    assert login(hall, "demo1234", "198.51.100.7").status_code == 200


def test_the_wait_doubles_but_never_passes_a_minute(hall_with: Callable[..., Hall],
                                                    ticker: ManualTicker) -> None:
    hall = hall_with()
    for _ in range(5):
        assert login(hall, "wrong-one").status_code == 401
    waits = []
    for _ in range(5):
        refused = login(hall, "demo1234")
        assert refused.status_code == 429
        wait = int(refused.headers["retry-after"])
        waits.append(wait)
        ticker.advance(wait)
        assert login(hall, "wrong-one").status_code == 401
    assert waits == [15, 30, 60, 60, 60]
    ticker.advance(60)
    assert login(hall, "demo1234").status_code == 200


def test_forwarded_for_from_an_untrusted_peer_is_ignored(hall_with: Callable[..., Hall]) -> None:
    hall = hall_with(rate_limit_burst=3, rate_limit_per_s=1.0)
    replies = [hall.client().get("/tickets/t_unknown", headers={"X-Forwarded-For": f"10.0.0.{n}"})
               for n in range(5)]
    assert [r.status_code for r in replies][-1] == 429


def test_forwarded_for_from_a_trusted_proxy_names_the_client(hall_with: Callable[..., Hall]) -> None:
    hall = hall_with(rate_limit_burst=3, rate_limit_per_s=1.0, **PROXIED)
    replies = [hall.client().get("/tickets/t_unknown", headers={"X-Forwarded-For": f"10.0.0.{n}"})
               for n in range(5)]
    assert all(r.status_code == 404 for r in replies)
    same = [hall.client().get("/tickets/t_unknown", headers={"X-Forwarded-For": "10.0.0.99"})
            for _ in range(4)]
    assert same[-1].status_code == 429


@pytest.mark.parametrize(("peer", "header", "expected"), [
    ("127.0.0.1", b"1.2.3.4", "1.2.3.4"),
    ("127.0.0.1", b"6.6.6.6, 1.2.3.4", "1.2.3.4"),  # the client wrote 6.6.6.6 itself
    ("127.0.0.1", b"1.2.3.4, 127.0.0.2", "1.2.3.4"),  # two trusted hops
    ("127.0.0.1", b"not-an-address", "127.0.0.1"),
    ("192.0.2.1", b"1.2.3.4", "192.0.2.1"),  # not a trusted proxy
])
def test_client_address_reads_forwarded_for_from_the_right(peer: str, header: bytes, expected: str) -> None:
    scope = {"client": (peer, 5000), "headers": [(b"x-forwarded-for", header)]}
    assert ClientAddress(["127.0.0.0/8"]).of(scope) == expected
    assert ClientAddress().of(scope) == peer
