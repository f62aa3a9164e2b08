"""Timing of the identity answers that must not tell a wrong name from an unknown person (DESIGN §4.5).

Run: ``python bench/identity.py [--rounds 300]``. Builds a demo hall in process (SQLite in a temporary
directory, demo SMS adapter, demo e-ID issuer trusted) and times, interleaved round by round:

- ``POST /identity/challenge`` for the person on file with the right name (a code goes out), with a
  wrong name, and for nobody on file (nothing goes out);
- ``POST /records/query`` with a valid e-ID whose name is wrong, and one for nobody on file.

Prints the median and p90 of each, in milliseconds. Nothing is asserted: the numbers are for reading
beside docs/security.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from hall_server.app import create_app
from hall_server.clock import SettableClock
from hall_server.config import Settings
from hall_server.demo import seed_demo
from hall_server.identity.eid import sign_token
from hall_server.identity.issuer_keys import DEMO_ISSUER, demo_issuer_key
from hall_server.store import schema
from hall_server.store.database import Database

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ON_FILE = "440106198503121237"
NOBODY = "110101199003074477"


def _timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    reply = call()
    elapsed = (time.perf_counter() - start) * 1000
    assert reply.status_code < 500, reply.text
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        settings = Settings(db_url=f"sqlite:///{data_dir / 'hall.sqlite3'}", data_dir=data_dir,
                            sms_adapter="demo", eid_trust_demo_issuer=True, rate_limit_enabled=False)
        db = Database(settings.db_url)
        schema.upgrade(db)
        token = seed_demo(db, NOW, data_dir)
        app = create_app(settings, clock=SettableClock(NOW), db=db)
        key = demo_issuer_key(data_dir)

        def eid(id_number: str, name: str) -> dict[str, str]:
            signed = sign_token(key, issuer=DEMO_ISSUER, id_number=id_number, name=name, issued_at=NOW,
                                expires_at=NOW + timedelta(days=1))
            return {"type": "eid", "token": signed}

        def records(id_number: str, name: str) -> dict[str, Any]:
            return {"kind": "social_insurance_payments", "id_number": id_number, "name": name,
                    "proof": eid(id_number, name)}

        with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
            paths: dict[str, Callable[[], Any]] = {
                "challenge, on file, right name": lambda: client.post(
                    "/api/v1/identity/challenge", json={"id_number": ON_FILE, "name": "张伟"}),
                "challenge, on file, wrong name": lambda: client.post(
                    "/api/v1/identity/challenge", json={"id_number": ON_FILE, "name": "张三"}),
                "challenge, nobody on file": lambda: client.post(
                    "/api/v1/identity/challenge", json={"id_number": NOBODY, "name": "张三"}),
                "records e-ID, wrong name": lambda: client.post(
                    "/api/v1/records/query", json=records(ON_FILE, "张三")),
                "records e-ID, nobody on file": lambda: client.post(
                    "/api/v1/records/query", json=records(NOBODY, "张三")),
            }
            samples: dict[str, list[float]] = {name: [] for name in paths}
            for _ in range(20):  # warm-up
                for call in paths.values():
                    call()
            for _ in range(args.rounds):
                for name, call in paths.items():
                    samples[name].append(_timed(call))
        db.dispose()
    print(f"{'path':34} {'median ms':>10} {'p90 ms':>8}   ({args.rounds} rounds, interleaved)")
    for name, values in samples.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{name:34} {statistics.median(values):10.3f} {p90:8.3f}")


if __name__ == "__main__":
    main()
