"""Device timings against their budgets: a queue ticket printed, an ID card read, over real ptys.

Run: ``python bench/devices.py [--runs N]``. Prints a table and exits 1 when a median is over its
budget (printing ≤ wire time + 50 ms; card reading ≤ wire time + 30 ms).

A pty moves bytes as fast as the kernel copies them: it does not throttle to the baud rate set
on it. "wire time" is what the same bytes take on a real 115200-baud line (10 bits per byte,
8N1); the measured time on a pty is therefore the software overhead of driver, port and
simulator, and the budget compares that overhead with what the wire itself would cost.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone

from kiosk.printouts.queue_ticket import TicketContent, queue_ticket
from terminal_drivers.id_card.protocol import Command, build_command
from terminal_drivers.id_card.reader import IdCardReader
from terminal_drivers.printer.paper import PaperFormat
from terminal_drivers.printer.printer import Printer
from terminal_drivers.sim.id_card import IdCardEngine
from terminal_drivers.sim.printer import PrinterEngine
from terminal_drivers.sim.runner import DeviceServer
from terminal_drivers.sim.test_cards import DEFAULT_CARD

BAUD = 115200
PRINT_BUDGET_S = 0.050
CARD_BUDGET_S = 0.030
# DLE EOT n (3 bytes) and its one-byte reply, four queries before and four after each job.
STATUS_EXCHANGE_BYTES = 8 * (3 + 1)
# Reply sizes of the SAM protocol (DESIGN §5.3): find 15, select 19, read text+photo 1295.
CARD_REPLY_BYTES = 15 + 19 + 1295


def wire_time(n_bytes: int, baud: int = BAUD) -> float:
    return n_bytes * 10 / baud


def _ticket() -> bytes:
    content = TicketContent(
        hall_name="市民服务中心",
        ticket_number="A042",
        service_name="社保卡办理",
        people_ahead=7,
        estimated_wait_min=15,
        issued_at=datetime(2026, 11, 23, 9, 30, tzinfo=timezone(timedelta(hours=8))),
        tracking_url="https://hall.example.gov.cn/q/HQ/A042?t=3f9c2a",
    )
    return queue_ticket(content, PaperFormat(576))


async def bench_print(runs: int) -> tuple[int, list[float]]:
    job = _ticket()
    times: list[float] = []
    with DeviceServer(PrinterEngine(), baudrate=BAUD) as server:
        path = server.start_pty()
        async with Printer(path, BAUD) as printer:
            await printer.print_job(job)  # warm-up: imports, first render
            for _ in range(runs):
                started = time.perf_counter()
                await printer.print_job(job)
                times.append(time.perf_counter() - started)
    return len(job), times


def bench_render(runs: int) -> float:
    """Median time the printer simulator itself spends parsing and rendering one ticket."""
    engine, job = PrinterEngine(), _ticket()
    engine.receive(job)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        engine.receive(job)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def bench_card(runs: int) -> tuple[int, list[float]]:
    commands = (Command.FIND_CARD, Command.SELECT_CARD, Command.READ_TEXT_PHOTO)
    sent = sum(len(build_command(c)) for c in commands)
    times: list[float] = []
    with DeviceServer(IdCardEngine(read_delay_s=0.0), baudrate=BAUD) as server:
        path = server.start_pty()
        async with IdCardReader(path, BAUD) as reader:
            for i in range(runs + 1):
                server.control("lift_card", {})
                server.control("place_card", {"name": DEFAULT_CARD})
                started = time.perf_counter()
                card = await reader.read_once()
                elapsed = time.perf_counter() - started
                if card is None:
                    raise RuntimeError("the simulated card was not read")
                if i:  # the first read is a warm-up
                    times.append(elapsed)
    return sent + CARD_REPLY_BYTES, times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args(argv)
    job_bytes, print_times = asyncio.run(bench_print(options.runs))
    card_bytes, card_times = asyncio.run(bench_card(options.runs))

    rows = []
    over = False
    for name, n_bytes, times, budget in (
        ("queue ticket print_job", job_bytes + STATUS_EXCHANGE_BYTES, print_times, PRINT_BUDGET_S),
        ("ID card find+select+read", card_bytes, card_times, CARD_BUDGET_S),
    ):
        wire = wire_time(n_bytes)
        median = statistics.median(times)
        limit = wire + budget
        # On a pty nothing is spent on the wire, so the whole measured time is overhead.
        ok = median <= limit
        over |= not ok
        rows.append((name, n_bytes, wire, median, max(times), limit, "ok" if ok else "OVER"))

    print(f"Device timings over ptys at {BAUD} baud ({options.runs} runs each; medians)")
    print("A pty does not throttle to the baud rate: measured = software overhead; wire = 10 bits/byte.")
    header = (
        f"{'operation':<26} {'bytes':>6} {'wire ms':>8} {'median ms':>10} {'max ms':>8} {'budget ms':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, n_bytes, wire, median, worst, limit, verdict in rows:
        print(
            f"{name:<26} {n_bytes:>6} {wire * 1000:>8.1f} {median * 1000:>10.1f} {worst * 1000:>8.1f}"
            f" {limit * 1000:>10.1f}  {verdict}"
        )
    render = bench_render(options.runs)
    print(f"of the print time, the simulator spends {render * 1000:.1f} ms parsing and rendering the ticket"
          f" (a real printer answers status while it prints)")
    print(f"ticket job alone: {job_bytes} bytes = {wire_time(job_bytes) * 1000:.1f} ms on the wire;"
          f" status queries add {STATUS_EXCHANGE_BYTES} bytes")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
