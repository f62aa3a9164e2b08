"""Hypothesis-generated JSON at every creating endpoint: a 2xx, or a 4xx with the error shape; never 5xx."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Hall

pytestmark = [pytest.mark.db, pytest.mark.slow]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)

# Each endpoint with the field names it knows, so generated bodies get past the outer checks often.
ENDPOINTS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("kiosk", "POST", "/tickets", {"service": "SB-001", "priority": None}),
    (
        "kiosk",
        "POST",
        "/bookings",
        {
            "service": "SB-001",
            "slot_id": "HQ:SB-001:2026-11-26T09:00",
            "citizen": {"id_number": "110101199003074477", "name": "张三"},
            "channel": "kiosk",
        },
    ),
    ("kiosk", "POST", "/bookings/check-in", {"check_in_code": "123456"}),
    (
        "kiosk",
        "POST",
        "/records/query",
        {
            "kind": "social_insurance_payments",
            "id_number": "110101199003074477",
            "name": "张三",
            "from": "2026-01-01",
        },
    ),
    (
        "kiosk",
        "POST",
        "/bookings/mine",
        {"id_number": "110101199003074477", "name": "张三", "proof": {"type": "card"}},
    ),
    (
        "kiosk",
        "POST",
        "/bookings/b_x/move",
        {"slot_id": "HQ:SB-001:2026-11-26T10:00", "id_number": "110101199003074477", "name": "张三",
         "proof": {"type": "code", "challenge_id": "ch_x", "code": "123456"}},
    ),
    (
        "kiosk",
        "DELETE",
        "/bookings/b_x",
        {"id_number": "110101199003074477", "name": "张三", "proof": {"type": "eid", "token": "x"}},
    ),
    ("kiosk", "POST", "/reviews", {"level": 5, "reasons": [], "subject": {"type": "ticket", "id": "t_x"}}),
    ("kiosk", "POST", "/kiosks/heartbeat", {"app_version": "1", "uptime_s": 1, "devices": {}}),
    ("anyone", "POST", "/auth/login", {"username": "admin", "password": "x"}),
    ("admin", "POST", "/calendars", {"toml": "year = 2027"}),
    ("counter1", "POST", "/counters/15/call-next?site=HQ", {"queues": ["B"]}),
    ("counter1", "POST", "/counters/15/transfer?site=HQ", {"queue": "C"}),
    ("counter1", "POST", "/counters/15/transfer?site=HQ", {"window": "33"}),
    ("counter1", "POST", "/counters/15/call-number?site=HQ", {"number": "B001", "reason": "老人返回"}),
    ("counter1", "POST", "/counters/15/unpark?site=HQ", {"number": "B001"}),
    ("counter1", "POST", "/windows/15/pause?site=HQ", {"reason": "午休"}),
    ("counter1", "PUT", "/slots/HQ:SB-001:2026-11-26T09:00/capacity", {"capacity": 3}),
    # Endpoints without a body must ignore one, whatever it is.
    ("counter1", "POST", "/counters/15/recall?site=HQ", {}),
    ("counter1", "POST", "/counters/15/no-show?site=HQ", {}),
    ("counter1", "POST", "/counters/15/start?site=HQ", {}),
    ("counter1", "POST", "/counters/15/complete?site=HQ", {}),
    ("counter1", "POST", "/counters/15/park?site=HQ", {}),
    ("counter1", "POST", "/windows/15/resume?site=HQ", {}),
    ("counter1", "POST", "/windows/15/sign-in?site=HQ", {}),
    ("admin", "POST", "/reviews/follow-ups/f_x/close", {}),
    ("manager1", "POST", "/reviews/follow-ups/f_x/assign", {"assignee": "counter1"}),
    ("manager1", "POST", "/reviews/follow-ups/f_x/answer", {"answer": "已联系当事人并改进"}),
    ("tech1", "POST", "/auth/logout", {}),
]


def mutated(template: dict[str, Any]) -> st.SearchStrategy[Any]:
    """The template with some fields replaced by arbitrary JSON, dropped, or joined by unknown ones."""
    keys = list(template)
    if not keys:
        return st.dictionaries(st.text(max_size=8), json_values, max_size=3)
    return st.builds(
        lambda replace, drop, extra: {
            **{k: replace.get(k, v) for k, v in template.items() if k not in drop},
            **extra,
        },
        st.dictionaries(st.sampled_from(keys), json_values, max_size=len(keys)),
        st.sets(st.sampled_from(keys), max_size=2),
        st.dictionaries(st.text(max_size=8), json_values, max_size=1),
    )


def client_for(hall: Hall, who: str) -> httpx.Client:
    if who == "kiosk":
        return hall.kiosk()
    if who == "anyone":
        return hall.client()
    return hall.staff(who)


def check(reply: httpx.Response) -> None:
    assert reply.status_code < 500, reply.text
    if reply.status_code >= 400:
        error = reply.json()["error"]
        assert error["code"].replace("_", "").isalnum() and error["code"].islower()
        assert "Traceback" not in reply.text


@pytest.mark.parametrize(("who", "method", "path", "template"), ENDPOINTS, ids=[e[2] for e in ENDPOINTS])
def test_generated_bodies_never_cause_a_server_error(
    hall: Hall, who: str, method: str, path: str, template: dict[str, Any]
) -> None:
    client = client_for(hall, who)
    # At their window, so that the counter's own checks run behind the body's.
    assert hall.staff("counter1").post("/windows/15/sign-in", params={"site": "HQ"}).status_code == 200

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(body=st.one_of(mutated(template), json_values))
    def run(body: Any) -> None:
        check(client.request(method, path, json=body))

    run()


@pytest.mark.parametrize(
    ("who", "method", "path", "template"), ENDPOINTS[:4], ids=[e[2] for e in ENDPOINTS[:4]]
)
def test_raw_bytes_never_cause_a_server_error(
    hall: Hall, who: str, method: str, path: str, template: dict[str, Any]
) -> None:
    client = client_for(hall, who)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(raw=st.binary(max_size=200))
    def run(raw: bytes) -> None:
        check(client.request(method, path, content=raw, headers={"content-type": "application/json"}))

    run()


any_date = st.dates().map(str)


def test_generated_dates_and_slot_ids_never_cause_a_server_error(hall: Hall) -> None:
    kiosk = hall.kiosk()
    staff = hall.staff("counter1")

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(day=any_date, other=any_date, hour=st.integers(0, 99), minute=st.integers(0, 99))
    def run(day: str, other: str, hour: int, minute: int) -> None:
        slot = f"HQ:SB-001:{day}T{hour:02d}:{minute:02d}"
        check(kiosk.get("/sites/HQ/calendar", params={"from": day, "to": other}))
        check(kiosk.get("/sites/HQ/slots", params={"service": "SB-001", "date": day}))
        check(
            kiosk.post(
                "/bookings",
                json={
                    "service": "SB-001",
                    "slot_id": slot,
                    "citizen": {"id_number": "110101199003074477", "name": "张三"},
                },
            )
        )
        check(staff.put(f"/slots/{slot}/capacity", json={"capacity": 1}))
        check(
            kiosk.post(
                "/records/query",
                json={
                    "kind": "entry_exit_records",
                    "id_number": "110101199003074477",
                    "name": "张三",
                    "from": day,
                    "to": other,
                },
            )
        )

    run()


def test_generated_query_strings_never_cause_a_server_error(hall: Hall) -> None:
    client = hall.kiosk()

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(
        params=st.dictionaries(
            st.sampled_from(["from", "to", "date", "service", "lang", "q", "department"]),
            st.text(max_size=15),
            max_size=4,
        ),
        path=st.sampled_from(["/sites/HQ/calendar", "/sites/HQ/slots", "/services", "/services/SB-001"]),
    )
    def run(params: dict[str, str], path: str) -> None:
        check(client.get(path, params=params))

    run()


@pytest.mark.parametrize(
    ("who", "method", "path", "body"),
    [
        ("anyone", "POST", "/auth/login", {"username": "ad\x00min", "password": "x"}),
        (
            "kiosk",
            "POST",
            "/reviews",
            {
                "level": 5,
                "reasons": [],
                "comment": "a\x00b",
                "subject": {"type": "kiosk_transaction", "id": "x\x00"},
            },
        ),
        (
            "kiosk",
            "POST",
            "/bookings",
            {
                "service": "SB-001",
                "slot_id": "HQ:SB-001:2026-11-26T09:00",
                "citizen": {"id_number": "110101199003074477", "name": "张\x00"},
            },
        ),
        ("kiosk", "POST", "/kiosks/heartbeat", {"app_version": "1\x00", "uptime_s": 1, "devices": {}}),
        ("tech1", "GET", "/fleet?site=H%00Q", None),
    ],
)
def test_nul_characters_are_refused_as_invalid_requests(
    hall: Hall, who: str, method: str, path: str, body: Any
) -> None:
    reply = client_for(hall, who).request(method, path, json=body)
    check(reply)
    assert reply.status_code == 422
