"""Agents and calls of the routing as JSON text, for the routing state kept in Redis (pure)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from remote_assist.routing import Agent, Call


class CodecError(ValueError):
    """A stored agent or call that cannot be read back."""


def encode_agent(agent: Agent) -> str:
    body = asdict(agent)
    body["skills"] = sorted(agent.skills)
    return json.dumps(body, ensure_ascii=False, sort_keys=True)


def encode_call(call: Call) -> str:
    body = asdict(call)
    body["declined_by"] = sorted(call.declined_by)
    return json.dumps(body, ensure_ascii=False, sort_keys=True)


def _object(raw: str) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise CodecError("not JSON") from exc
    if not isinstance(body, dict):
        raise CodecError("not an object")
    return body


def decode_agent(raw: str) -> Agent:
    body = _object(raw)
    try:
        body["skills"] = frozenset(body["skills"])
        return Agent(**body)
    except (KeyError, TypeError) as exc:
        raise CodecError(f"not an agent: {exc}") from exc


def decode_call(raw: str) -> Call:
    body = _object(raw)
    try:
        body["declined_by"] = set(body["declined_by"])
        if body.get("last_position") is not None:
            position, eta = body["last_position"]
            body["last_position"] = (int(position), int(eta))
        return Call(**body)
    except (KeyError, TypeError, ValueError) as exc:
        raise CodecError(f"not a call: {exc}") from exc
