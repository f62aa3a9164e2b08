"""Field rules for JSON messages and the one validator that applies them (pure, no I/O).

Signaling and the in-call data channel both describe their messages as tables of ``Field``s; a
message that breaks a rule raises ``MessageError`` with a stable snake_case ``code``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class MessageError(Exception):
    """A message that cannot be accepted. ``code`` is stable; ``field`` names the culprit if any."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": "error", "code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return body


@dataclass(frozen=True)
class Field:
    """One field: its JSON kind, whether it must be present, and its bounds.

    kind is one of ``str``, ``int``, ``bool``, ``str_list``, ``object``, ``object_list``.
    """

    kind: str
    required: bool = True
    nullable: bool = False
    max_len: int = 256
    min_len: int = 0
    choices: tuple[str, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None
    max_items: int = 64


Schema = Mapping[str, Field]


def decode_object(raw: str | bytes, max_bytes: int) -> dict[str, Any]:
    """Parse one JSON text into an object, refusing oversized, non-JSON or non-object input."""
    size = len(raw.encode("utf-8")) if isinstance(raw, str) else len(raw)
    if size > max_bytes:
        raise MessageError("message_too_large", f"message of {size} bytes exceeds {max_bytes}")
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MessageError("invalid_json", "message is not valid JSON") from exc
    if not isinstance(value, dict):
        raise MessageError("not_an_object", "message must be a JSON object")
    return value


def validate(message: dict[str, Any], schemas: Mapping[str, Schema], *, common: Schema) -> dict[str, Any]:
    """Check ``message`` against the schema of its ``type``; return it unchanged when it passes."""
    kind = message.get("type")
    if kind is None:
        raise MessageError("missing_type", "message has no type", field="type")
    if not isinstance(kind, str):
        raise MessageError("invalid_field", "type must be a string", field="type")
    schema = schemas.get(kind)
    if schema is None:
        raise MessageError("unknown_type", f"unknown message type {kind[:40]!r}", field="type")
    allowed = {"type", *schema, *common}
    for name in message:
        if name not in allowed:
            raise MessageError("unexpected_field", f"{kind}: unexpected field {name[:40]!r}", field=name)
    for name, rule in {**common, **schema}.items():
        if name not in message:
            if rule.required:
                raise MessageError("missing_field", f"{kind}: missing field {name!r}", field=name)
            continue
        _check(kind, name, message[name], rule)
    return message


def _check(kind: str, name: str, value: Any, rule: Field) -> None:
    def bad(why: str) -> MessageError:
        return MessageError("invalid_field", f"{kind}.{name}: {why}", field=name)

    if value is None:
        if rule.nullable:
            return
        raise bad("must not be null")
    if rule.kind == "str":
        if not isinstance(value, str):
            raise bad("must be a string")
        if not rule.min_len <= len(value) <= rule.max_len:
            raise bad(f"length must be {rule.min_len}..{rule.max_len}")
        if rule.choices is not None and value not in rule.choices:
            raise bad(f"must be one of {', '.join(rule.choices)}")
    elif rule.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("must be an integer")
        if (rule.minimum is not None and value < rule.minimum) or (
            rule.maximum is not None and value > rule.maximum
        ):
            raise bad(f"must be within {rule.minimum}..{rule.maximum}")
    elif rule.kind == "bool":
        if not isinstance(value, bool):
            raise bad("must be true or false")
    elif rule.kind == "str_list":
        if not isinstance(value, list) or len(value) > rule.max_items:
            raise bad(f"must be a list of at most {rule.max_items} strings")
        for item in value:
            if not isinstance(item, str) or not rule.min_len <= len(item) <= rule.max_len:
                raise bad(f"items must be strings of length {rule.min_len}..{rule.max_len}")
            if rule.choices is not None and item not in rule.choices:
                raise bad(f"items must be among {', '.join(rule.choices)}")
    elif rule.kind == "object":
        if not isinstance(value, dict):
            raise bad("must be an object")
        if len(json.dumps(value, ensure_ascii=False)) > rule.max_len:
            raise bad(f"must encode to at most {rule.max_len} characters")
    elif rule.kind == "object_list":
        if not isinstance(value, list) or len(value) > rule.max_items:
            raise bad(f"must be a list of at most {rule.max_items} objects")
        if not all(isinstance(item, dict) for item in value):
            raise bad("items must be objects")
    else:  # pragma: no cover - a schema bug, not bad input
        raise AssertionError(f"unknown field kind {rule.kind}")
