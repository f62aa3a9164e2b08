"""What proof of presence needs at hand: the people on file, the SMS adapter, the trusted e-ID issuers
and the hall's secret for keyed digests of ID numbers and codes."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hall_server.config import Settings
from hall_server.identity.issuer_keys import demo_issuer_key, load_public_keys
from hall_server.identity.sms import DemoSmsSender, NullSmsSender, SmsSender
from hall_server.people.adapter import PeopleDirectory
from hall_server.people.demo import demo_directory

SECRET_FILE = "identity-secret"
DEMO_SMS_FILE = "demo-sms.log"


@dataclass
class IdentityKit:
    people: PeopleDirectory
    sms: SmsSender
    issuers: list[Ed25519PublicKey]
    secret: bytes

    def digest(self, *parts: str) -> str:
        """A keyed digest: stored instead of an ID number or a code, useless without the hall's secret."""
        return hmac.new(self.secret, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


def _secret(data_dir: Path) -> bytes:
    path = data_dir / SECRET_FILE
    if path.is_file():
        return path.read_bytes()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process of the hall made it first
        return path.read_bytes()
    try:
        os.write(fd, value)
    finally:
        os.close(fd)
    return value


def build_identity_kit(settings: Settings, people: PeopleDirectory | None = None) -> IdentityKit:
    """The kit the settings describe (the demo directory unless another is given)."""
    sms: SmsSender = (DemoSmsSender(settings.data_dir / DEMO_SMS_FILE) if settings.sms_adapter == "demo"
                      else NullSmsSender())
    issuers = load_public_keys(settings.eid_issuer_keys)
    if settings.eid_trust_demo_issuer:
        issuers.append(demo_issuer_key(settings.data_dir).public_key())
    return IdentityKit(people or demo_directory(), sms, issuers, _secret(settings.data_dir))
