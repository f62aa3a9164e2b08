"""Certificates against their budgets: a 36-month payment history made and signed, and 20 at once.

Run: ``python bench/documents.py [--runs 12] [--concurrent 20]``. Prints a table and exits 1 when a
figure is over its budget. Sections:

- in process: lay out and sign a 36-month social-insurance history (the demo adapter's rows, a common
  name), median and slowest over ``--runs`` runs after one warm-up, and the file's size and pages;
  the same with a name of rare characters (more font pieces to embed);
- ``hall-server serve --demo`` on loopback: ``--concurrent`` POST /records/certificate at once from
  one kiosk, the errors among them, and every code checked back with GET /verify/{code}.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from citizen_id.id_number import make_id_number
from hall_server.documents.demo_ca import make_demo_identity
from hall_server.documents.desk import font_cache_dir
from hall_server.documents.layout import Certificate, CertificateFonts, build_pdf
from hall_server.documents.signing import HallSigner, SigningPaths
from hall_server.records.adapter import RecordQuery
from hall_server.records.demo import DemoRecordsAdapter

NOW = "2026-11-25T10:00:00+08:00"
TODAY = date(2026, 11, 25)
BUDGET_MS = 400.0
BUDGET_BYTES = 250 * 1024
NAME = "李明华"
RARE_NAME = "欧阳镕堃喆䶮"


def history_id() -> str:
    adapter = DemoRecordsAdapter()
    for sequence in range(100, 999):
        candidate = make_id_number("110105", date(1988, 6, 15), sequence)
        query = RecordQuery("social_insurance_payments", candidate, NAME, None, None, "zh-Hans", TODAY)
        if len(adapter.query(query).rows) >= 36:
            return candidate
    raise SystemExit("no demo ID number with 36 months of payments")


def period() -> tuple[date, date]:
    end = date(TODAY.year, TODAY.month, 1) - timedelta(days=1)
    start = date(end.year - 3, end.month % 12 + 1, 1) if end.month < 12 else date(end.year - 2, 1, 1)
    return start, end


def in_process(runs: int, name: str = NAME) -> tuple[list[float], list[float], int, int]:
    start, end = period()
    id_number = history_id()
    table = DemoRecordsAdapter().query(RecordQuery("social_insurance_payments", id_number, NAME, start, end,
                                                   "zh-Hans", TODAY))
    assert len(table.rows) == 36, len(table.rows)
    cert = Certificate(
        kind="social_insurance_payments", lang="zh-Hans", hall_name="示范区政务服务中心",
        seal_name="示范区政务服务中心", holder_name=name, masked_id="1101**********1019",
        columns=[(c.key, c.label) for c in table.columns], rows=table.rows, start=start, end=end,
        issued_at=datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        code="K7QD-2M9X-AB3F-QQ7Z-9XYZ", verify_url="http://127.0.0.1:8000/v/K7QD2M9XAB3FQQ7Z9XYZ",
    )
    fonts = CertificateFonts(font_cache_dir())
    with tempfile.TemporaryDirectory() as tmp:
        identity = make_demo_identity(Path(tmp), "示范区政务服务中心")
        signer = HallSigner(SigningPaths(identity.key_path, identity.chain_path))
        totals, layouts = [], []
        size = pages = 0
        for run in range(runs + 1):
            began = time.perf_counter()
            laid_out = build_pdf(cert, fonts)
            laid = time.perf_counter()
            signed = signer.sign(laid_out.pdf, reason="证明", location="示范区")
            done = time.perf_counter()
            if run:  # the first run cuts or opens the font pieces
                totals.append((done - began) * 1000)
                layouts.append((laid - began) * 1000)
            size, pages = len(signed), laid_out.pages
    return totals, layouts, size, pages


@contextmanager
def hall_server(data_dir: Path) -> Iterator[tuple[str, str]]:
    env = {**os.environ, "HALL_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "hall_server", "serve", "--port", "0", "--db",
               f"sqlite:///{data_dir / 'hall.sqlite3'}", "--demo", "--no-demo-history", "--now", NOW,
               "--no-rate-limit"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    token = ""
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("demo kiosk kiosk-01 token: "):
                token = line.split(": ", 1)[1].strip()
            if line.startswith("listening on "):
                yield line.split(" ", 2)[2].strip(), token
                break
        else:
            raise SystemExit("the hall server did not start")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def concurrent(count: int) -> tuple[int, list[float], float, int]:
    start, end = period()
    body = {"kind": "social_insurance_payments", "id_number": history_id(), "name": NAME,
            "from": start.isoformat(), "to": end.isoformat(), "proof": {"type": "card"}}
    with tempfile.TemporaryDirectory() as tmp, hall_server(Path(tmp)) as (url, token):
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=url + "/api/v1", headers=headers, timeout=120) as warm:
            warm.post("/records/certificate", json=body).raise_for_status()

        def one(_: int) -> tuple[bool, float, str, str]:
            with httpx.Client(base_url=url + "/api/v1", headers=headers, timeout=120) as client:
                began = time.perf_counter()
                reply = client.post("/records/certificate", json=body)
                took = (time.perf_counter() - began) * 1000
                if reply.status_code != 200:
                    return False, took, "", ""
                digest = hashlib.sha256(reply.content).hexdigest()
                return True, took, reply.headers["x-verification-code"], digest

        began = time.perf_counter()
        with ThreadPoolExecutor(count) as pool:
            results = list(pool.map(one, range(count)))
        wall = (time.perf_counter() - began) * 1000
        mismatched = 0
        with httpx.Client(base_url=url + "/api/v1", timeout=30) as client:
            for ok, _, code, digest in results:
                if ok and client.get(f"/verify/{code}").json().get("sha256") != digest:
                    mismatched += 1
    errors = sum(1 for ok, *_ in results if not ok)
    return errors, [took for _, took, _, _ in results], wall, mismatched


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--concurrent", type=int, default=20)
    args = parser.parse_args()
    totals, layouts, size, pages = in_process(args.runs)
    rare, _, _, _ = in_process(args.runs, RARE_NAME)
    errors, latencies, wall, mismatched = concurrent(args.concurrent)
    median = statistics.median(totals)
    rare_median = statistics.median(rare)
    rows = [
        ("make + sign, median (ms)", f"{median:.0f}", f"≤ {BUDGET_MS:.0f}", median <= BUDGET_MS),
        ("make + sign, slowest (ms)", f"{max(totals):.0f}", "", True),
        ("make + sign, rare name, median (ms)", f"{rare_median:.0f}", f"≤ {BUDGET_MS:.0f}",
         rare_median <= BUDGET_MS),
        ("of which layout, median (ms)", f"{statistics.median(layouts):.0f}", "", True),
        ("file size (KB)", f"{size / 1024:.0f}", f"≤ {BUDGET_BYTES // 1024}", size <= BUDGET_BYTES),
        ("pages", str(pages), "", True),
        (f"{args.concurrent} at once: errors", str(errors), "0", errors == 0),
        (f"{args.concurrent} at once: codes not verifying", str(mismatched), "0", mismatched == 0),
        (f"{args.concurrent} at once: wall (ms)", f"{wall:.0f}", "", True),
        (f"{args.concurrent} at once: slowest reply (ms)", f"{max(latencies):.0f}", "", True),
    ]
    print(f"36-month certificate, {args.runs} runs; {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}")
    print(f"{'figure':<40} {'measured':>10} {'budget':>8}  ok")
    for name, measured, budget, ok in rows:
        print(f"{name:<40} {measured:>10} {budget:>8}  {'yes' if ok else 'NO'}")
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
