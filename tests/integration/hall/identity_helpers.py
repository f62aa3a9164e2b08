"""What the identity tests share: the demo SMS file, e-ID tokens of the demo issuer, record queries."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hall_server.identity.eid import sign_token
from hall_server.identity.issuer_keys import DEMO_ISSUER, demo_issuer_key

ZHANG_WEI = ("440106198503121237", "张伟")
LIU_ZHE = ("110105199007074568", "刘喆")
NOBODY = "110101199003074477"  # valid, but nobody on file
SMS_FILE = "demo-sms.log"
IDENTITY = {"sms_adapter": "demo", "eid_trust_demo_issuer": True}
_CODE = re.compile(r"验证码 ([0-9]{6})")


def sms_lines(data_dir: Path) -> list[str]:
    path = data_dir / SMS_FILE
    return path.read_text("utf-8").splitlines() if path.exists() else []


def last_code(data_dir: Path) -> str:
    found = _CODE.search(sms_lines(data_dir)[-1])
    assert found is not None
    return found.group(1)


def challenge(kiosk: httpx.Client, id_number: str, name: str) -> httpx.Response:
    return kiosk.post("/identity/challenge", json={"id_number": id_number, "name": name})


def records(kiosk: httpx.Client, id_number: str, name: str, proof: dict[str, Any] | None) -> httpx.Response:
    body: dict[str, Any] = {"kind": "social_insurance_payments", "id_number": id_number, "name": name}
    if proof is not None:
        body["proof"] = proof
    return kiosk.post("/records/query", json=body)


def eid(data_dir: Path, id_number: str, name: str, now: datetime, *, days: int = 30,
        key: Ed25519PrivateKey | None = None) -> dict[str, str]:
    token = sign_token(key or demo_issuer_key(data_dir), issuer=DEMO_ISSUER, id_number=id_number, name=name,
                       issued_at=now, expires_at=now + timedelta(days=days))
    return {"type": "eid", "token": token}


def refusal(reply: httpx.Response) -> tuple[int, str]:
    return reply.status_code, reply.json()["error"]["code"]
