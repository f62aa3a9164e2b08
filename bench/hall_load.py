"""Hall server under load: concurrent clients taking walk-in tickets and booking scarce slots.

Run: ``python bench/hall_load.py [--clients 50] [--tickets 1500] [--pg URL [--only-pg]]
[--idempotency-keys]``. With ``--idempotency-keys`` every ticket carries an ``Idempotency-Key`` as a
kiosk's does (on PostgreSQL the ticket's statement records the key; the node stores the answers a
moment later, many in one statement).
Starts its own ``hall-server serve`` on loopback (SQLite in a temporary directory; with ``--pg`` also on
a throw-away PostgreSQL database made beside the given one; rate limiting off, as all clients share one
kiosk token) and drives it with N keep-alive HTTP clients:

- walk-in tickets as fast as the clients can take them (saturation: the throughput budget); nobody
  is served meanwhile, so 1,500 tickets over six queues leave lines of 250, several times the
  longest line of a large hall (each ticket's place is computed over its whole line);
- walk-in tickets offered at the budget rate, 500/s spread over the clients (the latency budget:
  with 50 clients sending back to back, latency is just clients ÷ throughput, so p99 is measured at
  the budget rate, from each request's scheduled time);
- bookings of scarce slots (6 slots of 5 places, 4 attempts per client), made at the counter desk.

Prints throughput, p50/p99 latency and anomalies (duplicate or skipped ticket numbers, overbooked
slots) against the budget: ≥ 500 tickets/s on both, p99 ≤ 50 ms on SQLite and ≤ 100 ms on
PostgreSQL, zero anomalies on both; with the load average of the machine before and after each
phase, as the cores are shared. Exits 1 when a budget is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citizen_id.id_number import make_id_number
from hall_server.store.scratch_database import scratch_database

NOW = "2026-11-25T10:00:00+08:00"  # a Wednesday morning: every queue is open
TICKETS_PER_S_BUDGET = 500.0
P99_BUDGET_MS = {"sqlite": 50.0, "postgresql": 100.0}
DEMO_TOKEN = "demo-kiosk-token-HQ"
SERVICES = ("MA-001", "SB-001", "CR-001", "MZ-001", "BD-001", "GJ-001")  # queues A to F
BOOKING_DAY = "2026-11-26"
SCARCE_SLOTS = tuple(f"HQ:SB-001:{BOOKING_DAY}T{h:02d}:{m:02d}" for h in (9, 10, 11) for m in (0, 30))
SCARCE_CAPACITY = 5


class HttpClient:
    """A minimal keep-alive HTTP/1.1 client: the load generator must cost less CPU than the server."""

    def __init__(self, host: str, port: int, token: str, keyed: bool = False) -> None:
        self.host, self.port, self.token = host, port, token
        self.keyed = keyed  # an Idempotency-Key on every POST, as a kiosk sends with each ticket
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        payload = json.dumps(body).encode() if body is not None else b""
        key = f"Idempotency-Key: {uuid.uuid4().hex}\r\n" if self.keyed and method == "POST" else ""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {self.token}\r\n"
            f"{key}Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        self.writer.write(head.encode() + payload)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        data = await self.reader.readexactly(length)
        return status, json.loads(data) if data else None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Phase:
    name: str
    server_cpu_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    errors: int = 0
    anomalies: list[str] = field(default_factory=list)
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after
    numbers: dict[str, list[int]] = field(default_factory=dict)  # ticket numbers given, by queue
    # The paced phase's (scheduled time from the phase's start, latency), for --timeline.
    marks: list[tuple[float, float]] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


async def warmed_up(port: int, barrier: asyncio.Barrier, keyed: bool = False) -> HttpClient:
    """A connected client that has made one untimed request, released when every client is ready:
    kiosks keep their connections, so connection set-up is not part of a ticket's latency."""
    client = HttpClient("127.0.0.1", port, DEMO_TOKEN, keyed)
    await client.request("GET", "/api/v1/services/SB-001")
    await barrier.wait()
    return client


async def _timed(client: HttpClient, phase: Phase, method: str, path: str, body: Any) -> tuple[int, Any]:
    start = time.perf_counter()
    status, data = await client.request(method, path, body)
    phase.latencies.append(time.perf_counter() - start)
    return status, data


async def tickets_phase(port: int, clients: int, total: int, keyed: bool = False) -> Phase:
    phase = Phase("walk-in tickets")
    numbers: dict[str, list[int]] = defaultdict(list)
    per_client = total // clients

    barrier = asyncio.Barrier(clients)

    starts: list[float] = []

    async def run(i: int) -> None:
        client = await warmed_up(port, barrier, keyed)
        starts.append(time.perf_counter())
        try:
            for j in range(per_client):
                service = SERVICES[(i + j) % len(SERVICES)]
                status, data = await _timed(client, phase, "POST", "/api/v1/tickets", {"service": service})
                if status != 201:
                    phase.errors += 1
                    continue
                numbers[data["queue"]].append(int(data["number"][1:]))
        finally:
            await client.close()

    await asyncio.gather(*(run(i) for i in range(clients)))
    phase.elapsed = time.perf_counter() - min(starts)
    for queue, seen in sorted(numbers.items()):
        if len(set(seen)) != len(seen):
            phase.anomalies.append(f"queue {queue}: {len(seen) - len(set(seen))} duplicate numbers")
        if sorted(set(seen)) != list(range(1, len(set(seen)) + 1)):
            phase.anomalies.append(f"queue {queue}: skipped numbers")
    return phase


async def paced_phase(port: int, clients: int, rate: float, seconds: float, keyed: bool = False) -> Phase:
    """Tickets offered at a fixed rate; latency counts from each request's scheduled time, so a stalled
    server cannot hide its backlog (no coordinated omission)."""
    phase = Phase(f"tickets @{rate:.0f}/s")
    interval = clients / rate
    origin: list[float] = []
    count = int(seconds * rate / clients)
    barrier = asyncio.Barrier(clients)
    starts: list[float] = []

    async def run(i: int) -> None:
        client = await warmed_up(port, barrier, keyed)
        starts.append(time.perf_counter())
        loop = asyncio.get_running_loop()
        if not origin:
            origin.append(loop.time())
        begin = loop.time() + i * interval / clients
        try:
            for j in range(count):
                scheduled = begin + j * interval
                delay = scheduled - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                service = SERVICES[(i + j) % len(SERVICES)]
                status, _data = await client.request("POST", "/api/v1/tickets", {"service": service})
                phase.latencies.append(loop.time() - scheduled)
                phase.marks.append((scheduled - origin[0], phase.latencies[-1]))
                if status != 201:
                    phase.errors += 1
        finally:
            await client.close()

    await asyncio.gather(*(run(i) for i in range(clients)))
    phase.elapsed = time.perf_counter() - min(starts)
    return phase


async def booking_phase(port: int, clients: int, staff_token: str) -> Phase:
    phase = Phase("scarce bookings")
    staff = HttpClient("127.0.0.1", port, staff_token)
    for slot in SCARCE_SLOTS:
        status, _ = await staff.request(
            "PUT", f"/api/v1/slots/{slot}/capacity", {"capacity": SCARCE_CAPACITY}
        )
        if status != 200:
            raise SystemExit(f"cannot set capacity of {slot}: HTTP {status}")
    await staff.close()
    won: dict[str, int] = defaultdict(int)
    attempts = clients * 4

    async def run(i: int) -> None:
        # Two hundred people are more than a kiosk's identity budget for an hour (DESIGN §4.5): the
        # counter desk books them, through the same capacity guard.
        client = HttpClient("127.0.0.1", port, staff_token)
        try:
            for j in range(attempts // clients):
                n = i * 100 + j
                body = {
                    "service": "SB-001",
                    "slot_id": SCARCE_SLOTS[n % len(SCARCE_SLOTS)],
                    "citizen": {
                        "id_number": make_id_number(sequence=n % 1000, region=f"{110101 + n // 1000}"),
                        "name": "压测",
                    },
                }
                status, data = await _timed(client, phase, "POST", "/api/v1/bookings", body)
                if status == 201:
                    won[data["slot_id"]] += 1
                elif status != 409 or data["error"]["code"] != "slot_full":
                    phase.errors += 1
        finally:
            await client.close()

    start = time.perf_counter()
    await asyncio.gather(*(run(i) for i in range(clients)))
    phase.elapsed = time.perf_counter() - start
    for slot in SCARCE_SLOTS:
        if won[slot] > SCARCE_CAPACITY:
            phase.anomalies.append(f"{slot}: {won[slot]} bookings for {SCARCE_CAPACITY} places")
    checker = HttpClient("127.0.0.1", port, DEMO_TOKEN)
    _status, slots = await checker.request("GET", f"/api/v1/sites/HQ/slots?service=SB-001&date={BOOKING_DAY}")
    await checker.close()
    for slot in slots["slots"]:
        if slot["id"] in SCARCE_SLOTS and slot["capacity"] - slot["remaining"] != won[slot["id"]]:
            phase.anomalies.append(f"{slot['id']}: server counts differ from bookings made")
    return phase


@contextmanager
def server(db_url: str, data_dir: Path) -> Iterator[tuple[int, int]]:
    env = {**os.environ, "HALL_DATA_DIR": str(data_dir)}
    command = [
        sys.executable,
        "-m",
        "hall_server",
        "serve",
        "--port",
        "0",
        "--db",
        db_url,
        "--demo",
        "--no-demo-history",
        "--now",
        NOW,
        # Fifty clients on one kiosk token asking as fast as they can are what the rate limit refuses.
        "--no-rate-limit",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("listening on "):
                yield int(line.rsplit(":", 1)[1]), proc.pid
                break
        else:
            raise SystemExit("the hall server did not start")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def staff_token(port: int) -> str:
    async def login() -> str:
        client = HttpClient("127.0.0.1", port, "")
        status, data = await client.request(
            "POST", "/api/v1/auth/login", {"username": "counter1", "password": "demo1234"}
        )
        await client.close()
        if status != 200:
            raise SystemExit(f"login failed: HTTP {status}")
        return str(data["token"])

    return asyncio.run(login())


@contextmanager
def fresh_database(pg_url: str | None) -> Iterator[str]:
    if pg_url is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/hall.sqlite3"
    else:
        with scratch_database(pg_url, tag="bench_") as url:
            yield url


def run_against(label: str, pg_url: str | None, args: argparse.Namespace) -> list[tuple[str, Phase]]:
    """Each phase on a fresh server and an empty database, so one phase's line does not slow the next."""
    phases: list[tuple[str, Phase]] = []
    for run_phase in ("saturation", "paced", "bookings"):
        with (
            fresh_database(pg_url) as db_url,
            tempfile.TemporaryDirectory() as tmp,
            server(db_url, Path(tmp)) as (port, pid),
        ):
            load_before = os.getloadavg()[0]
            cpu_before = cpu_seconds(pid)
            if run_phase == "saturation":
                phase = asyncio.run(tickets_phase(port, args.clients, args.tickets, args.idempotency_keys))
            elif run_phase == "paced":
                phase = asyncio.run(paced_phase(port, args.clients, TICKETS_PER_S_BUDGET, args.seconds,
                                                args.idempotency_keys))
            else:
                phase = asyncio.run(booking_phase(port, args.clients, staff_token(port)))
            phase.server_cpu_s = cpu_seconds(pid) - cpu_before
            phase.load = (load_before, os.getloadavg()[0])
        phases.append((label, phase))
    return phases


def print_timeline(phase: Phase, bucket_s: float = 0.25) -> None:
    """The paced phase by quarter second of schedule: how many requests, their median and slowest, and a bar
    of the slowest (one # per 10 ms): a budget missed by a few stalls shows as a few long bars."""
    buckets: dict[int, list[float]] = defaultdict(list)
    for scheduled, latency in phase.marks:
        buckets[int(scheduled / bucket_s)].append(latency * 1000)
    for index in sorted(buckets):
        got = sorted(buckets[index])
        median, slowest = got[len(got) // 2], got[-1]
        print(f"    {index * bucket_s:6.2f} s {len(got):4d} p50 {median:6.1f} max {slowest:6.1f} ms "
              f"{'#' * min(60, int(slowest / 10))}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--tickets", type=int, default=1500, help="walk-in tickets in total")
    parser.add_argument(
        "--pg", metavar="URL", help="also run on PostgreSQL (a throw-away database beside URL)"
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="paced phase length (1,500 tickets)")
    parser.add_argument("--only-pg", action="store_true", help="skip the SQLite run")
    parser.add_argument("--timeline", action="store_true",
                        help="print the paced phase's latency by quarter second: when the slow requests came")
    parser.add_argument("--idempotency-keys", action="store_true",
                        help="an Idempotency-Key on every ticket, as kiosks send (two more statements each)")
    args = parser.parse_args()
    results: list[tuple[str, Phase]] = []
    if not args.only_pg:
        results += run_against("sqlite", None, args)
    if args.pg:
        results += run_against("postgresql", args.pg, args)

    print(f"{args.clients} clients, one server process, {os.cpu_count()} cores shared with the clients")
    print(
        f"{'db':<11} {'phase':<16} {'requests':>8} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'cpu ms/req':>10} {'errors':>6}"
        f" {'anomalies':>9} {'load':>9}  budget"
    )
    failed = False
    for label, phase in results:
        verdicts = []
        if phase.anomalies:
            verdicts.append("FAIL anomalies")
        if phase.name == "walk-in tickets":
            ok = phase.throughput >= TICKETS_PER_S_BUDGET
            verdicts.append(f"{'ok' if ok else 'MISSED'} (≥{TICKETS_PER_S_BUDGET:.0f} tickets/s)")
            failed |= not ok
        if phase.name.startswith("tickets @"):
            ok = phase.percentile(0.99) <= P99_BUDGET_MS[label]
            verdicts.append(f"{'ok' if ok else 'MISSED'} (p99 ≤{P99_BUDGET_MS[label]:.0f} ms)")
            failed |= not ok
        failed |= bool(phase.anomalies) or phase.errors > 0
        print(
            f"{label:<11} {phase.name:<16} {len(phase.latencies):>8} {phase.throughput:>8.0f} "
            f"{phase.percentile(0.5):>7.1f} {phase.percentile(0.99):>7.1f} "
            f"{phase.server_cpu_s * 1000 / max(len(phase.latencies), 1):>10.2f} {phase.errors:>6} "
            f"{len(phase.anomalies):>9} {phase.load[0]:>4.1f}→{phase.load[1]:<4.1f}"
            f"  {' '.join(verdicts) or 'ok (no anomalies)'}"
        )
        for anomaly in phase.anomalies:
            print(f"    {anomaly}")
        if args.timeline and phase.marks:
            print_timeline(phase)
    every = [latency for _, p in results for latency in p.latencies]
    print(f"median latency over all phases: {statistics.median(every) * 1000:.1f} ms")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
