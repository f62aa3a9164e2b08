"""Signaling and data-channel messages: every type, every malformed variant, fuzzed input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remote_assist import datachannel, protocol
from remote_assist.schema import Field, MessageError

SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"
CANDIDATE = "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host"

VALID_KIOSK: dict[str, dict[str, Any]] = {
    "call": {"skill": "HRSS", "lang": "zh-Hans"},
    "offer": {"call_id": "c_1", "sdp": SDP},
    "answer": {"call_id": "c_1", "sdp": SDP},
    "candidate": {"call_id": "c_1", "candidate": CANDIDATE, "sdpMid": "0", "sdpMLineIndex": 0},
    "hangup": {"call_id": "c_1", "reason": "no_media"},
    "pong": {},
}
VALID_STAFF: dict[str, dict[str, Any]] = {
    "presence": {"state": "available", "skills": ["HRSS", "general"]},
    "accept": {"call_id": "c_1"},
    "decline": {"call_id": "c_1"},
    "offer": {"call_id": "c_1", "sdp": SDP},
    "answer": {"call_id": "c_1", "sdp": SDP},
    "candidate": {"call_id": "c_1", "candidate": "", "sdpMid": None, "sdpMLineIndex": None},
    "hangup": {"call_id": "c_1", "note": "已告知所需材料"},
    "pong": {},
}
VALID_DC_STAFF: dict[str, dict[str, Any]] = {
    "show_guide": {"service": "SB-001"},
    "show_qr": {"text": "https://example.org/g/SB-001", "caption": "办事指南"},
    "show_form": {"fields": [{"name": "phone", "label": "联系电话"}], "title": "登记表"},
    "request_photo": {"purpose": "身份证正面", "request_id": "r1"},
    "print": {"lines": ["第一行", "second line"]},
    "chat": {"text": "您好"},
    "close_overlay": {},
}
VALID_DC_KIOSK: dict[str, dict[str, Any]] = {
    "chat": {"text": "你好"},
    "consent": {"request_id": "r1", "granted": True},
    "photo": {"request_id": "r1", "seq": 0, "total": 1, "mime": "image/jpeg", "data": "/9j/"},
    "device_state": {"devices": {"printer": {"state": "ok", "reason": None}}},
}

# One value of the wrong kind for each field kind.
WRONG = {"str": 12, "int": "7", "bool": "yes", "str_list": "HRSS", "object": [1], "object_list": {"a": 1}}


def _kiosk(msg: dict[str, Any]) -> dict[str, Any]:
    return protocol.parse_client_message(json.dumps(msg), "kiosk")


def _staff(msg: dict[str, Any]) -> dict[str, Any]:
    return protocol.parse_client_message(json.dumps(msg), "staff")


def _dc_staff(msg: dict[str, Any]) -> dict[str, Any]:
    return datachannel.parse_staff_message(json.dumps(msg))


def _dc_kiosk(msg: dict[str, Any]) -> dict[str, Any]:
    return datachannel.parse_kiosk_message(json.dumps(msg))


CASES = [
    (_kiosk, protocol.KIOSK_TO_SERVER, VALID_KIOSK),
    (_staff, protocol.STAFF_TO_SERVER, VALID_STAFF),
    (_dc_staff, datachannel.STAFF_TO_KIOSK, VALID_DC_STAFF),
    (_dc_kiosk, datachannel.KIOSK_TO_STAFF, VALID_DC_KIOSK),
]
ALL = [
    pytest.param(parse, schemas, kind, valid[kind], id=f"{parse.__name__}-{kind}")
    for parse, schemas, valid in CASES
    for kind in schemas
]


def test_every_type_has_a_valid_example() -> None:
    for _, schemas, valid in CASES:
        assert set(valid) == set(schemas)


@pytest.mark.parametrize(("parse", "schemas", "kind", "fields"), ALL)
def test_valid_message_passes_unchanged(parse: Any, schemas: Any, kind: str, fields: dict[str, Any]) -> None:
    message = {"type": kind, **fields}
    assert parse(message) == message


@pytest.mark.parametrize(("parse", "schemas", "kind", "fields"), ALL)
def test_each_missing_required_field_is_named(
    parse: Any, schemas: Any, kind: str, fields: dict[str, Any]
) -> None:
    required = [name for name, rule in schemas[kind].items() if rule.required]
    for name in required:
        message = {"type": kind, **{k: v for k, v in fields.items() if k != name}}
        with pytest.raises(MessageError) as info:
            parse(message)
        assert (info.value.code, info.value.field) == ("missing_field", name)


@pytest.mark.parametrize(("parse", "schemas", "kind", "fields"), ALL)
def test_extra_field_is_refused(parse: Any, schemas: Any, kind: str, fields: dict[str, Any]) -> None:
    with pytest.raises(MessageError) as info:
        parse({"type": kind, **fields, "sneaky": 1})
    assert (info.value.code, info.value.field) == ("unexpected_field", "sneaky")


@pytest.mark.parametrize(("parse", "schemas", "kind", "fields"), ALL)
def test_each_wrongly_typed_field_is_named(
    parse: Any, schemas: Any, kind: str, fields: dict[str, Any]
) -> None:
    rules: dict[str, Field] = dict(schemas[kind])
    for name, rule in rules.items():
        message = {"type": kind, **fields, name: WRONG[rule.kind]}
        with pytest.raises(MessageError) as info:
            parse(message)
        assert (info.value.code, info.value.field) == ("invalid_field", name)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("not json", "invalid_json"),
        ("[1, 2]", "not_an_object"),
        ('"call"', "not_an_object"),
        ("{}", "missing_type"),
        ('{"type": 3}', "invalid_field"),
        ('{"type": "dance"}', "unknown_type"),
        ('{"type": "accept", "call_id": "c_1"}', "unknown_type"),  # staff only
        ('{"type": "call", "skill": "", "lang": "en"}', "invalid_field"),
        ('{"type": "call", "skill": "HRSS", "lang": "fr"}', "invalid_field"),
        ('{"type": "hangup", "call_id": "c_1", "reason": "bored"}', "invalid_field"),
        ('{"type": "hangup", "call_id": "c_1", "note": "kiosks cannot leave notes"}', "unexpected_field"),
        (
            '{"type": "candidate", "call_id": "c", "candidate": "", "sdpMid": "0", "sdpMLineIndex": true}',
            "invalid_field",
        ),
        (
            '{"type": "candidate", "call_id": "c", "candidate": "", "sdpMid": "0", "sdpMLineIndex": -1}',
            "invalid_field",
        ),
        ("\xff\xfe", "invalid_json"),
    ],
)
def test_malformed_kiosk_text(raw: str, code: str) -> None:
    with pytest.raises(MessageError) as info:
        protocol.parse_client_message(raw, "kiosk")
    assert info.value.code == code


def test_staff_presence_rules() -> None:
    for bad in ({"state": "sleeping", "skills": []}, {"state": "available", "skills": ["", "x"]}):
        with pytest.raises(MessageError) as info:
            _staff({"type": "presence", **bad})
        assert info.value.code == "invalid_field"


def test_size_limit() -> None:
    big = json.dumps({"type": "offer", "call_id": "c", "sdp": "a" * 70000})
    with pytest.raises(MessageError) as info:
        protocol.parse_client_message(big, "kiosk")
    assert info.value.code == "message_too_large"
    with pytest.raises(MessageError) as info:
        protocol.parse_client_message(json.dumps({"type": "pong"}), "kiosk", max_bytes=5)
    assert info.value.code == "message_too_large"


def test_print_needs_exactly_one_of_lines_or_ticket() -> None:
    for fields in ({}, {"lines": ["a"], "ticket": {"number": "A001"}}):
        with pytest.raises(MessageError) as info:
            _dc_staff({"type": "print", **fields})
        assert info.value.code == "invalid_field"
    assert _dc_staff({"type": "print", "ticket": {"number": "A001"}})["ticket"] == {"number": "A001"}


def test_form_fields_need_name_and_label() -> None:
    with pytest.raises(MessageError) as info:
        _dc_staff({"type": "show_form", "fields": [{"name": "phone"}]})
    assert info.value.code == "invalid_field"


def test_server_messages_built_here_parse_on_the_other_side() -> None:
    built = [
        ("kiosk", protocol.queued("c_1", 2, 480)),
        (
            "kiosk",
            protocol.accepted_for_kiosk("c_1", "agent1", "王坐席", [{"urls": ["stun:127.0.0.1:3478"]}]),
        ),
        ("kiosk", protocol.ended("c_1", "staff_hangup")),
        ("kiosk", protocol.unavailable("outside_hours", None)),
        ("kiosk", protocol.error("not_your_call", "no")),
        ("staff", protocol.incoming("c_1", "kiosk-01", "HQ", "HRSS", "en", 12)),
        ("staff", protocol.accepted_for_staff("c_1", "kiosk-01", "HQ", [])),
        ("staff", protocol.withdrawn("c_1", "kiosk_hangup")),
    ]
    for role, message in built:
        assert protocol.parse_server_message(json.dumps(message), role) == message


def test_photo_chunks_round_trip_in_any_order() -> None:
    jpeg = b"\xff\xd8" + bytes(range(256)) * 100 + b"\xff\xd9"
    chunks = list(datachannel.photo_chunks("r9", jpeg))
    assert len(chunks) == 3
    for chunk in chunks:
        assert _dc_kiosk(chunk) == chunk
    assembler = datachannel.PhotoAssembler("r9")
    results = [assembler.add(c) for c in reversed(chunks)]
    assert results[:-1] == [None, None] and results[-1] == jpeg


def test_photo_chunks_refuse_bad_input() -> None:
    with pytest.raises(MessageError) as info:
        list(datachannel.photo_chunks("r", b"PNG..."))
    assert info.value.code == "invalid_photo"
    assembler = datachannel.PhotoAssembler("r")
    chunk = {"type": "photo", "request_id": "r", "seq": 0, "total": 2, "mime": "image/jpeg", "data": "/9j/"}
    with pytest.raises(MessageError) as info:
        assembler.add({**chunk, "request_id": "other"})
    assert info.value.code == "unknown_request"
    with pytest.raises(MessageError) as info:
        assembler.add({**chunk, "seq": 5})
    assert info.value.code == "invalid_field"
    with pytest.raises(MessageError) as info:
        assembler.add({**chunk, "data": "!!!"})
    assert info.value.code == "invalid_field"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_fuzz_raw_input_only_raises_message_error(raw: str | bytes) -> None:
    for parse in (
        lambda r: protocol.parse_client_message(r, "kiosk"),
        lambda r: protocol.parse_client_message(r, "staff"),
        datachannel.parse_staff_message,
        datachannel.parse_kiosk_message,
    ):
        try:
            parse(raw)
        except MessageError as exc:
            assert exc.code


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(set(protocol.KIOSK_TO_SERVER) | set(protocol.STAFF_TO_SERVER))),
    st.dictionaries(
        st.sampled_from(["call_id", "sdp", "skill", "lang", "state", "skills", "x"]), json_values
    ),
)
def test_fuzz_shaped_messages_only_raise_message_error(kind: str, fields: dict[str, Any]) -> None:
    raw = json.dumps({"type": kind, **fields})
    for role in ("kiosk", "staff"):
        try:
            out = protocol.parse_client_message(raw, role)  # type: ignore[arg-type]
        except MessageError as exc:
            assert exc.code in {"unknown_type", "missing_field", "unexpected_field", "invalid_field"}
        else:
            assert out["type"] == kind
