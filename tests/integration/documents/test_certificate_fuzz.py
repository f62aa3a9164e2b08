"""Generated bodies at POST /records/certificate and generated codes at /verify and /v: a 2xx, or a 4xx with
the error shape; never a 5xx."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Hall, id_with_months

pytestmark = [pytest.mark.db, pytest.mark.slow]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: (st.lists(children, max_size=4)
                      | st.dictionaries(st.text(max_size=10), children, max_size=4)),
    max_leaves=12,
)


def check(reply: httpx.Response) -> None:
    assert reply.status_code < 500, reply.text
    if reply.status_code >= 400 and reply.headers["content-type"].startswith("application/json"):
        error = reply.json()["error"]
        assert error["code"].replace("_", "").isalnum() and error["code"].islower()
    assert "Traceback" not in reply.text


def test_generated_certificate_bodies_never_cause_a_server_error(hall: Hall) -> None:
    kiosk = hall.kiosk()
    template = {"kind": "entry_exit_records", "id_number": id_with_months(1), "name": "张三",
                "from": "2026-01-01", "lang": "en", "proof": {"type": "card"}}
    keys = list(template)
    bodies = st.builds(
        lambda replace, drop, extra: {**{k: replace.get(k, v) for k, v in template.items() if k not in drop},
                                      **extra},
        st.dictionaries(st.sampled_from(keys), json_values, max_size=2),
        st.sets(st.sampled_from(keys), max_size=2),
        st.dictionaries(st.text(max_size=8), json_values, max_size=1),
    )

    @settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(body=st.one_of(bodies, json_values))
    def run(body: Any) -> None:
        reply = kiosk.post("/records/certificate", json=body)
        check(reply)
        if reply.status_code == 200:
            assert reply.content.startswith(b"%PDF-")

    run()


def test_generated_codes_never_cause_a_server_error(hall_with: Any) -> None:
    hall = hall_with(rate_limit_enabled=False)
    client = hall.client()

    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(code=st.text(min_size=1, max_size=90))
    def run(code: str) -> None:
        path = quote(code, safe="")
        check(client.get(f"/verify/{path}"))
        check(httpx.get(f"{hall.url}/v/{path}"))

    run()
