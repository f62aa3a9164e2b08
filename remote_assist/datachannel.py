"""In-call data channel ``assist`` (DESIGN §6.2, contract): message schemas and photo chunking.

Pure: the kiosk peer and the staff console both speak these JSON messages; a photo travels as
base64 JPEG chunks small enough for any SCTP stack.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import Any

from remote_assist.schema import Field, MessageError, Schema, decode_object, validate

CHANNEL_LABEL = "assist"
MAX_DC_MESSAGE_BYTES = 32768
PHOTO_CHUNK_BYTES = 12000  # raw bytes per chunk; base64 makes it 16,000 characters
MAX_PHOTO_BYTES = 4 * 1024 * 1024

REQUEST_ID = Field("str", min_len=1, max_len=64)

STAFF_TO_KIOSK: dict[str, Schema] = {
    "show_guide": {"service": Field("str", min_len=1, max_len=32)},
    "show_qr": {
        "text": Field("str", min_len=1, max_len=1024),
        "caption": Field("str", required=False, max_len=200),
    },
    "show_form": {
        "fields": Field("object_list", max_items=32),
        "title": Field("str", required=False, max_len=200),
    },
    "request_photo": {"purpose": Field("str", min_len=1, max_len=200), "request_id": REQUEST_ID},
    "print": {
        "lines": Field("str_list", required=False, max_len=200, max_items=100),
        "ticket": Field("object", required=False, max_len=8000),
    },
    "chat": {"text": Field("str", min_len=1, max_len=1000)},
    "close_overlay": {},
}

KIOSK_TO_STAFF: dict[str, Schema] = {
    "chat": {"text": Field("str", min_len=1, max_len=1000)},
    "consent": {"request_id": REQUEST_ID, "granted": Field("bool")},
    "photo": {
        "request_id": REQUEST_ID,
        "seq": Field("int", minimum=0, maximum=10000),
        "total": Field("int", minimum=1, maximum=10000),
        "mime": Field("str", choices=("image/jpeg",)),
        "data": Field("str", min_len=1, max_len=PHOTO_CHUNK_BYTES * 4 // 3 + 4),
    },
    "device_state": {
        "devices": Field("object", max_len=4000),
        "print_result": Field("str", required=False, max_len=64),
    },
}


def parse_staff_message(raw: str | bytes) -> dict[str, Any]:
    """What the kiosk accepts from the staff console over the data channel."""
    message = validate(decode_object(raw, MAX_DC_MESSAGE_BYTES), STAFF_TO_KIOSK, common={})
    if message["type"] == "print" and ("lines" in message) == ("ticket" in message):
        raise MessageError("invalid_field", "print: give exactly one of lines or ticket", field="lines")
    if message["type"] == "show_form":
        for item in message["fields"]:
            if not isinstance(item.get("label"), str) or not isinstance(item.get("name"), str):
                raise MessageError(
                    "invalid_field", "show_form: each field needs name and label", field="fields"
                )
    return message


def parse_kiosk_message(raw: str | bytes) -> dict[str, Any]:
    """What the staff side accepts from the kiosk over the data channel."""
    return validate(decode_object(raw, MAX_DC_MESSAGE_BYTES), KIOSK_TO_STAFF, common={})


def photo_chunks(request_id: str, jpeg: bytes) -> Iterator[dict[str, Any]]:
    """Split a JPEG into ``photo`` messages in order."""
    if not jpeg.startswith(b"\xff\xd8"):
        raise MessageError("invalid_photo", "photo is not a JPEG")
    if len(jpeg) > MAX_PHOTO_BYTES:
        raise MessageError("photo_too_large", f"photo of {len(jpeg)} bytes exceeds {MAX_PHOTO_BYTES}")
    total = max(1, -(-len(jpeg) // PHOTO_CHUNK_BYTES))
    for seq in range(total):
        part = jpeg[seq * PHOTO_CHUNK_BYTES : (seq + 1) * PHOTO_CHUNK_BYTES]
        yield {
            "type": "photo",
            "request_id": request_id,
            "seq": seq,
            "total": total,
            "mime": "image/jpeg",
            "data": base64.b64encode(part).decode("ascii"),
        }


class PhotoAssembler:
    """Collects ``photo`` chunks of one request back into the JPEG (chunks may arrive in any order)."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self._parts: dict[int, bytes] = {}
        self._total: int | None = None

    def add(self, message: dict[str, Any]) -> bytes | None:
        """Add one chunk; return the whole JPEG once every chunk is in."""
        if message["request_id"] != self.request_id:
            raise MessageError("unknown_request", "photo chunk for another request", field="request_id")
        total = message["total"]
        if self._total is None:
            self._total = total
        if total != self._total or message["seq"] >= total:
            raise MessageError("invalid_field", "photo chunk numbering is inconsistent", field="seq")
        try:
            self._parts[message["seq"]] = base64.b64decode(message["data"], validate=True)
        except binascii.Error as exc:
            raise MessageError("invalid_field", "photo chunk is not base64", field="data") from exc
        if len(self._parts) < total:
            return None
        jpeg = b"".join(self._parts[i] for i in range(total))
        if not jpeg.startswith(b"\xff\xd8"):
            raise MessageError("invalid_photo", "assembled photo is not a JPEG")
        return jpeg
