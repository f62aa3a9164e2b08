"""The e-ID token: ``EID1.<b64url(JSON claims)>.<b64url(Ed25519 signature)>``, its pure parsing, its
signature check against the trusted issuers' public keys, and signing (the demo issuer).

The claims are ``iss`` (issuer name), ``sub`` (ID number), ``name``, ``iat`` and ``exp`` (Unix seconds).
The signature covers the ASCII text before the last dot.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "EID1"
MAX_TOKEN = 2048
_B64URL = re.compile(r"^[A-Za-z0-9_-]+$")
_SIGNATURE_BYTES = 64


class EidInvalid(ValueError):
    """Not a well-formed, correctly signed, current e-ID token; the reason stays in the hall."""


@dataclass(frozen=True)
class EidClaims:
    issuer: str
    id_number: str
    name: str
    issued_at: int
    expires_at: int


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    if not _B64URL.match(text):
        raise EidInvalid("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise EidInvalid("not base64url") from exc


def _text(claims: dict[str, object], key: str, longest: int) -> str:
    value = claims.get(key)
    if not isinstance(value, str) or not 1 <= len(value) <= longest:
        raise EidInvalid(f"claim {key} missing or malformed")
    return value


def _seconds(claims: dict[str, object], key: str) -> int:
    value = claims.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**40:
        raise EidInvalid(f"claim {key} missing or malformed")
    return value


def parse_token(token: str) -> tuple[bytes, EidClaims, bytes]:
    """The signed text, the claims and the signature of a token; EidInvalid for anything else. Pure."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN or not token.isascii():
        raise EidInvalid("not a token")
    parts = token.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise EidInvalid("not an EID1 token")
    payload, signature = _unb64url(parts[1]), _unb64url(parts[2])
    if len(signature) != _SIGNATURE_BYTES:
        raise EidInvalid("bad signature length")
    try:
        raw = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise EidInvalid("claims are not JSON") from exc
    if not isinstance(raw, dict):
        raise EidInvalid("claims are not an object")
    claims = EidClaims(
        issuer=_text(raw, "iss", 100), id_number=_text(raw, "sub", 32), name=_text(raw, "name", 60),
        issued_at=_seconds(raw, "iat"), expires_at=_seconds(raw, "exp"),
    )
    return f"{parts[0]}.{parts[1]}".encode("ascii"), claims, signature


def verify_token(token: str, issuers: Sequence[Ed25519PublicKey], now: datetime) -> EidClaims:
    """The claims of a token signed by one of ``issuers`` and current at ``now``; EidInvalid otherwise."""
    signed, claims, signature = parse_token(token)
    for key in issuers:
        try:
            key.verify(signature, signed)
        except InvalidSignature:
            continue
        break
    else:
        raise EidInvalid("no trusted issuer signed this token")
    # Only the end of life is checked: a hall run with a set clock (the demo's --now) would otherwise
    # refuse tokens issued by the real clock as "from the future".
    if int(now.timestamp()) >= claims.expires_at:
        raise EidInvalid("the token has expired")
    return claims


def sign_token(key: Ed25519PrivateKey, *, issuer: str, id_number: str, name: str, issued_at: datetime,
               expires_at: datetime) -> str:
    """A token for one person, signed with an issuer's private key."""
    claims = {"iss": issuer, "sub": id_number, "name": name,
              "iat": int(issued_at.astimezone(UTC).timestamp()),
              "exp": int(expires_at.astimezone(UTC).timestamp())}
    body = f"{PREFIX}.{_b64url(json.dumps(claims, ensure_ascii=False, separators=(',', ':')).encode())}"
    return f"{body}.{_b64url(key.sign(body.encode('ascii')))}"
