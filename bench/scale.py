"""Several hall nodes on PostgreSQL and Redis: what coordination costs, one node against three.

Run: ``python bench/scale.py [--clients 30] [--tickets 1200] [--warm-up 600] [--rounds 3] [--node-rate 50]
[--paced-seconds 10] [--without-redis] [--pg URL] [--redis URL]`` (the URLs default to
``$HALL_TEST_POSTGRES_URL`` and ``$HALL_TEST_REDIS_URL``; ``scripts/start-test-postgres.sh`` and
``scripts/start-test-redis.sh`` print them). Starts
``hall-server serve --demo --redis`` nodes on loopback over a throw-away PostgreSQL database (made
beside ``--pg``) and an emptied Redis database, first one node then three, and has N keep-alive
clients, spread over the nodes, take walk-in tickets. The request limit stays on, counted in Redis, but
set too high to refuse (every client is the demo kiosk), so its cost is in the figures; every ticket
publishes a floor event on Redis, received by the nodes that have a stream of its site open (none here:
no calling screen is connected, so the figures hold the publishing, not the fan-out; a screen of the
site on each node adds one message per ticket and node).

Each node first issues a warm-up round of untimed tickets (``--warm-up``, 600): a node's first tickets
pay for its start (statements prepared on each connection, caches), which three nodes pay three times.
Then the tickets as fast as they are taken; then the same clients offering tickets at a steady pace for
``--paced-seconds`` (10): ``--node-rate`` (50) a second for each node (one node at 50, three at 150 in
all), and one node also at three times that (150, the three nodes' total). Prints, ``--rounds`` times in
turn (3), tickets/s, p50/p99 latency and the halls' CPU per ticket (all nodes' CPU time over the
tickets); then the medians' ratios, three-node/one-node CPU per ticket:

- **each node equally busy** (50 a second a node): the budget, ≤ 1.25. Nodes doing the same work each,
  what three spend more a ticket than one is what they spend on one another: coordination.
- the same total (150 a second): one node busier than each of three. On a shared machine a process's
  CPU per request falls as it gets busier: work run soon after other work finds the processor's caches
  warm, work after a sleep does not. The bench measures this first, on a fixed piece of Python
  (``cold_penalty``): on a two-core VM, run after 20 ms asleep it costs about 1.5 times what it costs
  run back to back. Three nodes a third as busy pay it on every ticket; that is load per process, not
  coordination, and is printed for what it is.
- saturated: the same, more so (one busy node answers many requests each time its loop wakes).

``--without-redis`` runs nodes that share only the database: the baseline of several processes on this
machine, with no coordination at all. On a two-core machine three nodes share the cores with the load
generator and PostgreSQL: tickets/s there says little, CPU per ticket is the figure, and one run's figure
wanders by a quarter (hence the rounds).

The signaling's side of several nodes is measured by ``bench/assist_nodes.py``: 3,000 idle kiosk
sockets over two nodes with cross-node routing and relay p99 ≤ 30 ms, and the time from a node's death
(killed, or frozen with its sockets silent) to its waiting callers being served through the other node.
Exits 1 when a budget is missed.
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
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from bench.hall_load import DEMO_TOKEN, NOW, SERVICES, HttpClient, Phase, cpu_seconds  # noqa: E402
from hall_server.store.scratch_database import scratch_database  # noqa: E402

CPU_RATIO_BUDGET = 1.25
BENCH_REDIS_DB = 14
IDLE_S = 3.0
# Limits counted in Redis on every request, never refusing: the bench measures their cost, not them.
NEVER_REFUSED = ("--rate-limit-burst", "100000000", "--rate-limit-per-s", "100000000")


@contextmanager
def node(db_url: str, redis_url: str | None, data_dir: Path) -> Iterator[tuple[int, int]]:
    """A ``hall-server serve`` node: (port, pid); without ``redis_url`` a node on its own."""
    env = {**os.environ, "HALL_DATA_DIR": str(data_dir)}
    shared = ["--redis", redis_url] if redis_url else []
    command = [sys.executable, "-m", "hall_server", "serve", "--port", "0", "--db", db_url, *shared,
               "--demo", "--no-demo-history", "--now", NOW, *NEVER_REFUSED]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("listening on "):
                yield int(line.rsplit(":", 1)[1]), proc.pid
                break
        else:
            raise SystemExit("a hall node did not start")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a node stuck in its shutdown must not stop the bench
            print("a hall node did not stop in 30 s after SIGTERM: killed", file=sys.stderr)
            proc.kill()
            proc.wait(timeout=10)


async def tickets_over(ports: list[int], clients: int, total: int,
                       numbers: dict[str, list[int]] | None = None, rate: float | None = None) -> Phase:
    """Walk-in tickets as fast as ``clients`` keep-alive clients take them, client i on node i mod n; or,
    with ``rate``, offered at that many a second in all (latency counted from each one's scheduled time).

    ``numbers`` holds the numbers each queue gave before (a warm-up); every number given, those and these,
    must be dense from 1 and unique."""
    phase = Phase(f"{len(ports)} node(s)" + (f" @{rate:.0f}/s" if rate else ""))
    numbers = defaultdict(list, numbers or {})
    barrier = asyncio.Barrier(clients)
    starts: list[float] = []
    interval = clients / rate if rate else 0.0

    async def run(i: int) -> None:
        client = HttpClient("127.0.0.1", ports[i % len(ports)], DEMO_TOKEN)
        await client.request("GET", "/api/v1/services/SB-001")
        await barrier.wait()
        starts.append(time.perf_counter())
        begin = time.perf_counter() + i * interval / clients
        try:
            for j in range(total // clients):
                begun = time.perf_counter()
                if rate:
                    scheduled = begin + j * interval
                    if scheduled > begun:
                        await asyncio.sleep(scheduled - begun)
                    begun = scheduled
                status, data = await client.request("POST", "/api/v1/tickets",
                                                    {"service": SERVICES[(i + j) % len(SERVICES)]})
                phase.latencies.append(time.perf_counter() - begun)
                if status != 201:
                    phase.errors += 1
                    continue
                numbers[data["queue"]].append(int(data["number"][1:]))
        finally:
            await client.close()

    await asyncio.gather(*(run(i) for i in range(clients)))
    phase.elapsed = time.perf_counter() - min(starts)
    for queue, seen in sorted(numbers.items()):
        if len(set(seen)) != len(seen) or sorted(seen) != list(range(1, len(seen) + 1)):
            phase.anomalies.append(f"queue {queue}: duplicate or skipped numbers")
    phase.numbers = dict(numbers)
    return phase


def measure(pg_url: str, redis_url: str, count: int, rates: list[float],
            args: argparse.Namespace) -> tuple[list[Phase], float]:
    """The saturated phase, then one paced phase at each of ``rates`` (tickets/s in all), on ``count``
    nodes; and the nodes' idle CPU per second."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    with (scratch_database(pg_url, tag="bench_") as db_url, tempfile.TemporaryDirectory() as tmp,
          ExitStack() as stack):
        linked = None if args.without_redis else redis_url
        started = [stack.enter_context(node(db_url, linked, Path(tmp))) for _ in range(count)]
        pids = [pid for _port, pid in started]
        ports = [port for port, _pid in started]
        numbers: dict[str, list[int]] = {}
        if args.warm_up:
            # Each node's first tickets pay for its start: connections made, statements prepared on each,
            # caches filled. Three nodes pay that three times; the budget is about coordination, so the
            # tickets measured come after a first round on every node.
            numbers = asyncio.run(tickets_over(ports, args.clients, args.warm_up)).numbers
        # What the nodes spend doing nothing (access polling, subscriptions): a cost per second, not per
        # ticket, which three nodes pay three times; measured apart so that the per-ticket figure can be
        # read net of it too.
        idle_before = sum(cpu_seconds(pid) for pid in pids)
        time.sleep(IDLE_S)
        cpu_before = sum(cpu_seconds(pid) for pid in pids)
        idle_per_s = (cpu_before - idle_before) / IDLE_S
        phases = [asyncio.run(tickets_over(ports, args.clients, args.tickets, numbers))]
        phases[0].server_cpu_s = sum(cpu_seconds(pid) for pid in pids) - cpu_before
        for rate in rates:
            time.sleep(1.0)
            cpu_before = sum(cpu_seconds(pid) for pid in pids)
            paced = asyncio.run(tickets_over(ports, args.clients, int(rate * args.paced_seconds),
                                             phases[-1].numbers, rate=rate))
            paced.server_cpu_s = sum(cpu_seconds(pid) for pid in pids) - cpu_before
            phases.append(paced)
    return phases, idle_per_s


def cold_penalty(pieces: int = 400, asleep_s: float = 0.02) -> float:
    """How much more a small fixed piece of Python (about 0.3 ms) costs run after ``asleep_s`` asleep
    than run back to back, in this process's CPU time: what a process a third as busy pays on each
    piece of its work, whatever that work is."""
    numbers = {str(i): i for i in range(200)}
    data = {"list": list(range(200)), "map": numbers}

    def piece() -> float:
        began = time.thread_time()
        for _ in range(2):
            json.loads(json.dumps(data))
            sorted(numbers.items(), key=lambda item: -item[1])
        return time.thread_time() - began

    back_to_back: list[float] = []
    after_sleep: list[float] = []
    for _ in range(2):  # in turn, twice: the machine's other work drifts
        back_to_back += [piece() for _ in range(pieces)]
        for _ in range(pieces):
            time.sleep(asleep_s)
            after_sleep.append(piece())
    return statistics.median(after_sleep) / statistics.median(back_to_back)


def report(phase: Phase, idle_per_s: float) -> tuple[float, float]:
    """Prints a run; returns its CPU per ticket in ms, as measured and net of the nodes' idle CPU."""
    tickets = len(phase.latencies) - phase.errors
    per_ticket_ms = phase.server_cpu_s / tickets * 1000 if tickets else float("inf")
    net_ms = (phase.server_cpu_s - idle_per_s * phase.elapsed) / tickets * 1000 if tickets else float("inf")
    print(f"{phase.name:>16}: {phase.throughput:7.0f} tickets/s  p50 {phase.percentile(0.5):6.1f} ms  "
          f"p99 {phase.percentile(0.99):7.1f} ms  hall CPU {per_ticket_ms:5.2f} ms/ticket "
          f"({net_ms:5.2f} net of {idle_per_s * 1000:4.0f} ms/s idle)  errors {phase.errors}  "
          f"anomalies {phase.anomalies or 'none'}")
    return per_ticket_ms, net_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--tickets", type=int, default=1200)
    parser.add_argument("--warm-up", type=int, default=600, help="untimed tickets first (0: none)")
    parser.add_argument("--rounds", type=int, default=3, help="one node then three, this many times")
    parser.add_argument("--node-rate", type=float, default=50.0,
                        help="tickets/s offered to each node in the paced phases")
    parser.add_argument("--paced-seconds", type=float, default=10.0)
    parser.add_argument("--without-redis", action="store_true",
                        help="nodes that share only the database: what several processes cost on this "
                             "machine without any coordination (a baseline, not a hall)")
    parser.add_argument("--pg", default=os.environ.get("HALL_TEST_POSTGRES_URL"))
    parser.add_argument("--redis", default=os.environ.get("HALL_TEST_REDIS_URL"))
    args = parser.parse_args()
    if not args.pg or not args.redis:
        parser.error("--pg and --redis (or HALL_TEST_POSTGRES_URL and HALL_TEST_REDIS_URL) are needed")
    redis_url = f"{args.redis.rsplit('/', 1)[0]}/{BENCH_REDIS_DB}"
    print(f"this machine: a small piece of Python run after 20 ms asleep costs {cold_penalty():.2f} times "
          "what it costs run back to back")
    each, total = args.node_rate, 3 * args.node_rate
    # Two cores shared by the nodes, PostgreSQL, Redis and the clients make one run's figure wander by a
    # quarter: one node and three are measured in turn, and the medians compared.
    per_ticket: dict[tuple[str, int], list[float]] = defaultdict(list)
    net: dict[tuple[str, int], list[float]] = defaultdict(list)
    anomalies = False
    for _ in range(args.rounds):
        for count, rates in ((1, [each, total]), (3, [total])):
            phases, idle_per_s = measure(args.pg, redis_url, count, rates, args)
            for kind, phase in zip(["saturated", *(f"{rate:g}/s" for rate in rates)], phases, strict=True):
                anomalies = anomalies or bool(phase.anomalies)
                figure, net_figure = report(phase, idle_per_s)
                per_ticket[kind, count].append(figure)
                net[kind, count].append(net_figure)
    ratios = {}
    for name, one_kind, three_kind in (
        (f"each node equally busy ({each:g} tickets/s a node)", f"{each:g}/s", f"{total:g}/s"),
        (f"the same total ({total:g} tickets/s)", f"{total:g}/s", f"{total:g}/s"),
        ("saturated", "saturated", "saturated"),
    ):
        one, three = statistics.median(per_ticket[one_kind, 1]), statistics.median(per_ticket[three_kind, 3])
        net_ratio = statistics.median(net[three_kind, 3]) / statistics.median(net[one_kind, 1])
        ratios[name] = three / one
        print(f"{name}: median hall CPU per ticket over {args.rounds} round(s): one node {one:.2f} ms, "
              f"three {three:.2f} ms; three / one {three / one:.2f}, net of idle {net_ratio:.2f}")
    ratio = next(iter(ratios.values()))
    verdict = "ok" if ratio <= CPU_RATIO_BUDGET else "OVER BUDGET"
    print(f"CPU per ticket with each node equally busy, three nodes / one: {ratio:.2f} "
          f"(budget ≤ {CPU_RATIO_BUDGET}) {verdict}")
    return 0 if ratio <= CPU_RATIO_BUDGET and not anomalies else 1


if __name__ == "__main__":
    sys.exit(main())
