"""Signaling messages of remote assistance (DESIGN §6.1, contract): schemas, parsing, builders.

Pure: text in, validated dicts out, and the server's messages built as dicts. Every rule broken
raises ``MessageError`` with a stable code (``invalid_json``, ``unknown_type``, ``missing_field``,
``unexpected_field``, ``invalid_field``, ``message_too_large``, …).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from remote_assist.schema import Field, MessageError, Schema, decode_object, validate

Role = Literal["kiosk", "staff"]

MAX_MESSAGE_BYTES = 65536
LANGS = ("zh-Hans", "zh-Hant", "en")
PRESENCE_STATES = ("available", "busy", "away")
HANGUP_REASONS = ("normal", "no_media", "error", "signaling_lost")

CALL_ID = Field("str", min_len=1, max_len=64)
SKILL = Field("str", min_len=1, max_len=32)
SDP = Field("str", min_len=1, max_len=60000)

_RELAYED: dict[str, Schema] = {
    "offer": {"call_id": CALL_ID, "sdp": SDP},
    "answer": {"call_id": CALL_ID, "sdp": SDP},
    "candidate": {
        "call_id": CALL_ID,
        # An empty candidate string is the browser's end-of-candidates marker.
        "candidate": Field("str", max_len=1024),
        "sdpMid": Field("str", nullable=True, max_len=64),
        "sdpMLineIndex": Field("int", nullable=True, minimum=0, maximum=64),
    },
}

KIOSK_TO_SERVER: dict[str, Schema] = {
    # ``call_id``: the caller's call, kept in line while it moves to another hall node.
    "call": {"skill": SKILL, "lang": Field("str", choices=LANGS),
             "call_id": Field("str", required=False, min_len=1, max_len=64)},
    **_RELAYED,
    "hangup": {"call_id": CALL_ID, "reason": Field("str", required=False, choices=HANGUP_REASONS)},
    "pong": {},
}

STAFF_TO_SERVER: dict[str, Schema] = {
    "presence": {
        "state": Field("str", choices=PRESENCE_STATES),
        "skills": Field("str_list", min_len=1, max_len=32, max_items=32),
    },
    "accept": {"call_id": CALL_ID},
    "decline": {"call_id": CALL_ID},
    **_RELAYED,
    "hangup": {
        "call_id": CALL_ID,
        "reason": Field("str", required=False, choices=HANGUP_REASONS),
        "note": Field("str", required=False, max_len=2000),
    },
    "pong": {},
}

_ERROR: Schema = {
    "code": Field("str", max_len=64),
    "message": Field("str", max_len=1024),
    "field": Field("str", required=False, max_len=64),
    "call_id": Field("str", required=False, max_len=64),
}
_ICE = Field("object_list", max_items=8)
_ENDED: Schema = {"call_id": CALL_ID, "reason": Field("str", max_len=64)}

SERVER_TO_KIOSK: dict[str, Schema] = {
    "welcome": {"kiosk": Field("str"), "site": Field("str"), "heartbeat_s": Field("int", minimum=1)},
    "queued": {
        "call_id": CALL_ID,
        "position": Field("int", minimum=1),
        "eta_s": Field("int", minimum=0),
    },
    "accepted": {"call_id": CALL_ID, "agent": Field("object"), "ice_servers": _ICE},
    "ended": _ENDED,
    "unavailable": {
        "reason": Field("str", max_len=64),
        "next_open": Field("str", nullable=True, max_len=64),
        "call_id": Field("str", required=False, max_len=64),
    },
    **_RELAYED,
    "hangup": {"call_id": CALL_ID},
    "error": _ERROR,
    "ping": {},
}

SERVER_TO_STAFF: dict[str, Schema] = {
    "welcome": {"agent": Field("object"), "heartbeat_s": Field("int", minimum=1)},
    "incoming": {
        "call_id": CALL_ID,
        "kiosk": Field("str"),
        "site": Field("str"),
        "skill": SKILL,
        "lang": Field("str", choices=LANGS),
        "waited_s": Field("int", minimum=0),
    },
    "accepted": {
        "call_id": CALL_ID,
        "kiosk": Field("str"),
        "site": Field("str"),
        "ice_servers": _ICE,
    },
    "withdrawn": {"call_id": CALL_ID, "reason": Field("str", max_len=64)},
    "presence": {"state": Field("str", choices=PRESENCE_STATES), "skills": Field("str_list")},
    "ended": _ENDED,
    **_RELAYED,
    "hangup": {"call_id": CALL_ID},
    "error": _ERROR,
    "ping": {},
}

_INBOUND: dict[Role, Mapping[str, Schema]] = {"kiosk": KIOSK_TO_SERVER, "staff": STAFF_TO_SERVER}
_OUTBOUND: dict[Role, Mapping[str, Schema]] = {"kiosk": SERVER_TO_KIOSK, "staff": SERVER_TO_STAFF}


def parse_client_message(
    raw: str | bytes, role: Role, *, max_bytes: int = MAX_MESSAGE_BYTES
) -> dict[str, Any]:
    """Parse what a kiosk or a staff console sent to the server; raise ``MessageError`` if bad."""
    return validate(decode_object(raw, max_bytes), _INBOUND[role], common={})


def parse_server_message(
    raw: str | bytes, role: Role, *, max_bytes: int = MAX_MESSAGE_BYTES
) -> dict[str, Any]:
    """Parse what the server sent to a kiosk (``role="kiosk"``) or a staff console."""
    return validate(decode_object(raw, max_bytes), _OUTBOUND[role], common={})


def error(code: str, message: str, *, call_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if call_id is not None:
        body["call_id"] = call_id
    return body


def queued(call_id: str, position: int, eta_s: int) -> dict[str, Any]:
    return {"type": "queued", "call_id": call_id, "position": position, "eta_s": eta_s}


def accepted_for_kiosk(
    call_id: str, agent_id: str, agent_name: str, ice_servers: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "type": "accepted",
        "call_id": call_id,
        "agent": {"id": agent_id, "name": agent_name},
        "ice_servers": ice_servers,
    }


def accepted_for_staff(
    call_id: str, kiosk: str, site: str, ice_servers: list[dict[str, Any]]
) -> dict[str, Any]:
    return {"type": "accepted", "call_id": call_id, "kiosk": kiosk, "site": site, "ice_servers": ice_servers}


def incoming(call_id: str, kiosk: str, site: str, skill: str, lang: str, waited_s: int) -> dict[str, Any]:
    return {
        "type": "incoming",
        "call_id": call_id,
        "kiosk": kiosk,
        "site": site,
        "skill": skill,
        "lang": lang,
        "waited_s": waited_s,
    }


def withdrawn(call_id: str, reason: str) -> dict[str, Any]:
    """To an agent whose ringing call went away (caller hung up, ring timed out)."""
    return {"type": "withdrawn", "call_id": call_id, "reason": reason}


def ended(call_id: str, reason: str) -> dict[str, Any]:
    return {"type": "ended", "call_id": call_id, "reason": reason}


def unavailable(reason: str, next_open: datetime | None, call_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "unavailable",
        "reason": reason,
        "next_open": next_open.isoformat() if next_open is not None else None,
    }
    if call_id is not None:
        body["call_id"] = call_id
    return body


__all__ = [
    "KIOSK_TO_SERVER",
    "MAX_MESSAGE_BYTES",
    "SERVER_TO_KIOSK",
    "SERVER_TO_STAFF",
    "STAFF_TO_SERVER",
    "MessageError",
    "Role",
    "parse_client_message",
    "parse_server_message",
]
