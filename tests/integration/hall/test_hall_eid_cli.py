"""``hall-server eid issue``: a token of the demo issuer (key made on first use, owner-only) that the demo
hall accepts as proof, at the demo station's kiosk."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from .test_hall_cli import run, serving

pytestmark = pytest.mark.db


def test_an_issued_eid_unlocks_records_at_the_demo_hall(db_url: str, tmp_path: Path) -> None:
    qr = tmp_path / "eid.png"
    issued = run("eid", "issue", "440106198503121237", "张伟", "--days", "400", "--qr", str(qr),
                 db=None, data_dir=tmp_path)
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip().splitlines()[-1]
    assert token.startswith("EID1.") and qr.read_bytes().startswith(b"\x89PNG")
    key = tmp_path / "eid-issuer" / "demo-issuer.key.pem"
    assert key.stat().st_mode & 0o077 == 0
    assert run("eid", "issue", "1", "x", "--days", "0", db=None, data_dir=tmp_path).returncode == 2
    with serving(db_url, tmp_path) as (_proc, url):
        station = (tmp_path / "demo-kiosk-token-ST01").read_text().strip()
        with httpx.Client(base_url=url + "/api/v1", headers={"Authorization": f"Bearer {station}"}) as kiosk:
            body = {"kind": "social_insurance_payments", "id_number": "440106198503121237", "name": "张伟"}
            assert kiosk.post("/records/query", json=body).json()["error"]["code"] == "proof_required"
            reply = kiosk.post("/records/query", json={**body, "proof": {"type": "eid", "token": token}})
            assert reply.status_code == 200, reply.text
            wrong = kiosk.post("/records/query", json={**body, "name": "张三",
                                                       "proof": {"type": "eid", "token": token}})
            assert wrong.json()["error"]["code"] == "identity_not_verified"
            asked = kiosk.post("/identity/challenge", json={"id_number": body["id_number"], "name": "张伟"})
            assert asked.status_code == 200
    assert "17000001237" in (tmp_path / "demo-sms.log").read_text("utf-8")

