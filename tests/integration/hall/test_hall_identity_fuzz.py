"""Hypothesis-generated proof and challenge bodies: a 2xx or a 4xx with the error shape, never 5xx."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Hall
from .identity_helpers import IDENTITY, ZHANG_WEI

pytestmark = [pytest.mark.db, pytest.mark.slow]

texts = st.one_of(st.text(max_size=80), st.just(ZHANG_WEI[0]), st.just(ZHANG_WEI[1]),
                  st.from_regex(r"^[0-9]{6}$", fullmatch=True), st.just("EID1.e30.AAAA"))
values = st.one_of(st.none(), st.booleans(), st.integers(), texts, st.lists(texts, max_size=3))
proofs = st.one_of(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["card", "code", "eid", "x"])},
        optional={"challenge_id": values, "code": values, "token": values, "extra": values},
    ),
    values,
)
challenge_bodies = st.one_of(
    st.fixed_dictionaries({}, optional={"id_number": values, "name": values, "extra": values}), values)


def _checked(status: int, body: Any) -> None:
    assert status < 500, body
    if status >= 400:
        assert set(body["error"]) >= {"code", "message"}


@pytest.fixture
def hall(hall_with: Callable[..., Hall]) -> Hall:
    return hall_with(**IDENTITY, rate_limit_enabled=False)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(proof=proofs, id_number=values, name=values)
def test_records_proofs_never_fail_the_hall(hall: Hall, proof: Any, id_number: Any, name: Any) -> None:
    body = {"kind": "social_insurance_payments", "id_number": id_number, "name": name, "proof": proof}
    reply = hall.kiosk().post("/records/query", json=body)
    _checked(reply.status_code, reply.json())


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=challenge_bodies)
def test_challenge_bodies_never_fail_the_hall(hall: Hall, body: Any) -> None:
    reply = hall.kiosk().post("/identity/challenge", json=body)
    _checked(reply.status_code, reply.json())
