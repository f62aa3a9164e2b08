"""The HTTP control channel: commands reach the right device, bad requests get 4xx and a code."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terminal_drivers.sim.control import ControlChannelError, ControlServer, fetch_status, send_control
from terminal_drivers.sim.engine import SimControlError
from terminal_drivers.sim.runner import DeviceServer
from terminal_drivers.transport import open_port

from .conftest import EchoEngine

Channel = tuple[ControlServer, DeviceServer, DeviceServer]


@pytest.fixture
def channel() -> Iterator[Channel]:
    with DeviceServer(EchoEngine()) as a, DeviceServer(EchoEngine()) as b:
        a.start_pty()
        b.start_pty()
        with ControlServer({"printer": a, "scanner": b}) as control:
            control.start()
            yield control, a, b


def _raw(
    url: str, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def test_command_reaches_the_named_device(channel: Channel) -> None:
    control, printer, scanner = channel
    printer_side = open_port(printer.addresses[0], timeout=0.3)
    scanner_side = open_port(scanner.addresses[0], timeout=5.0)
    try:
        answer = send_control(control.url, "say", {"data": "abc"}, device="scanner")
        assert answer == {"ok": True, "device": "scanner", "queued": 3}
        assert scanner_side.read(3) == b"abc"
        assert printer_side.read(3) == b""
    finally:
        printer_side.close()
        scanner_side.close()


def test_wire_fault_through_the_channel_shows_in_status(
    channel: Channel,
) -> None:
    control, _, _ = channel
    send_control(control.url, "garble", {"probability": 0.25}, device="printer")
    status = fetch_status(control.url)
    assert status["devices"]["printer"]["faults"]["garble_probability"] == 0.25
    assert status["devices"]["scanner"]["faults"]["garble_probability"] == 0.0
    assert status["devices"]["printer"]["endpoints"][0]["kind"] == "pty"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "bad_json"),
        (b"\xff\xfe", 400, "bad_json"),
        (b"[]", 400, "bad_request"),
        (b'{"device": "printer"}', 400, "bad_request"),
        (b'{"device": "printer", "command": "say", "args": [1]}', 400, "bad_request"),
        (b'{"command": "say", "args": {"data": "x"}}', 404, "unknown_device"),
        (b'{"device": "fax", "command": "say"}', 404, "unknown_device"),
        (b'{"device": "printer", "command": "teleport"}', 400, "unknown_command"),
        (b'{"device": "printer", "command": "drop", "args": {"probability": 2}}', 400, "bad_argument"),
        (b'{"device": "printer", "command": "say", "args": {}}', 400, "bad_argument"),
    ],
)
def test_bad_requests(
    channel: Channel, body: bytes, status: int, code: str
) -> None:
    control, _, _ = channel
    before = fetch_status(control.url)
    got_status, answer = _raw(control.url, "POST", "/control", body, {"Content-Type": "application/json"})
    assert (got_status, answer["error"]["code"]) == (status, code)
    assert answer["error"]["message"]
    assert fetch_status(control.url) == before


def test_oversized_body_and_unknown_paths(channel: Channel) -> None:
    control, _, _ = channel
    status, answer = _raw(control.url, "POST", "/control", b"x", {"Content-Length": str(10**9)})
    assert (status, answer["error"]["code"]) == (413, "body_too_large")
    status, answer = _raw(control.url, "GET", "/nowhere")
    assert (status, answer["error"]["code"]) == (404, "not_found")
    status, answer = _raw(control.url, "POST", "/status", b"{}")
    assert status == 404


def test_client_reports_refusals_and_unreachable_channels(
    channel: Channel,
) -> None:
    control, _, _ = channel
    with pytest.raises(ControlChannelError) as refused:
        send_control(control.url, "latency", {"seconds": -3}, device="printer")
    assert refused.value.code == "bad_argument"
    closed = ControlServer({})
    url = closed.url
    closed.close()
    with pytest.raises(ControlChannelError) as unreachable:
        fetch_status(url, timeout=2)
    assert unreachable.value.code == "control_unreachable"


def test_single_device_needs_no_name() -> None:
    with DeviceServer(EchoEngine()) as srv, ControlServer({"id_card": srv}) as control:
        control.start()
        assert send_control(control.url, "silence")["faults"]["silent"] is True


def test_control_listens_on_loopback_only() -> None:
    with pytest.raises(ValueError):
        ControlServer({}, host="0.0.0.0")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_COMMANDS = st.sampled_from(["latency", "drop", "garble", "silence", "say", "received", "nope", ""])


def test_any_request_body_answers_or_refuses_with_a_code() -> None:
    with DeviceServer(EchoEngine()) as srv:
        srv.start_pty()
        control = ControlServer({"printer": srv})
        try:

            @settings(max_examples=300, deadline=None)
            @given(
                body=st.one_of(
                    _JSON,
                    st.fixed_dictionaries(
                        {"command": _COMMANDS},
                        optional={"device": st.sampled_from(["printer", "fax", 3]), "args": _JSON},
                    ),
                )
            )
            def check(body: Any) -> None:
                try:
                    answer = control.handle(body)
                except SimControlError as exc:
                    assert exc.code in {"bad_request", "unknown_device", "unknown_command", "bad_argument"}
                    return
                assert answer["ok"] is True and answer["device"] == "printer"

            check()
        finally:
            srv.control("clear_faults")
            control.close()
