"""A4 test page: the maintenance screen's tap → the job completed at CUPS, against its 2 s budget.

Run: ``python bench/a4_print.py [--runs N] [--queue Q] [--server S]``. Starts CUPS and the cups-pdf
queue with scripts/start-cups.sh (idempotent), then prints the test page N times through the
kiosk's A4 slot, as the "print A4 test page" button does: the page drawn, the job sent, watched to
``completed``. The first tap of a process also loads the CJK face (about a second); it is shown
apart and counted in the median like any other tap. Exits 1 when the median is over budget.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

from kiosk.a4_printing import KioskA4
from kiosk.config import A4PrinterConfig

BUDGET_S = 2.0
ROOT = Path(__file__).resolve().parents[1]


async def bench(config: A4PrinterConfig, runs: int) -> tuple[list[float], list[float]]:
    """(tap → completed, CUPS submit → completed) per run."""
    a4 = KioskA4(config, retry_s=0.2)
    task = asyncio.ensure_future(a4.run())
    try:
        for _ in range(100):
            if a4.slot.driver is not None:
                break
            await asyncio.sleep(0.05)
        taps: list[float] = []
        cups: list[float] = []
        for _ in range(runs):
            started = time.perf_counter()
            outcome = await a4.print_test_page()
            taps.append(time.perf_counter() - started)
            if not outcome.ok:
                raise RuntimeError(f"job {outcome.job_id} {outcome.state}: {outcome.reason}")
            cups.append(outcome.elapsed_s)
        return taps, cups
    finally:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--queue", default="kiosk-a4")
    parser.add_argument("--server", default="localhost:631")
    options = parser.parse_args(argv)
    started = subprocess.run(["bash", str(ROOT / "scripts" / "start-cups.sh"), options.queue],
                             capture_output=True, text=True)
    if started.returncode != 0:
        print(f"CUPS did not start: {started.stderr.strip()}", file=sys.stderr)
        return 2
    out_dir = started.stdout.strip().splitlines()[-1]
    config = A4PrinterConfig(queue=options.queue, server=options.server)
    taps, cups = asyncio.run(bench(config, options.runs))
    median = statistics.median(taps)
    ok = median <= BUDGET_S
    print(f"A4 queue {options.queue} on {options.server}; PDFs in {out_dir}; {options.runs} runs")
    print(f"{'what':<44}{'median':>10}{'min':>10}{'max':>10}{'budget':>10}  verdict")
    rows = (
        ("tap → job completed (first tap, cold font)", [taps[0]], None),
        ("tap → job completed", taps, BUDGET_S),
        ("  of which CUPS: submit → completed", cups, None),
    )
    for name, times, budget in rows:
        limit = f"{budget:.2f} s" if budget is not None else "-"
        verdict = ("ok" if ok else "OVER") if budget is not None else ""
        print(f"{name:<44}{statistics.median(times):>9.3f}s{min(times):>9.3f}s{max(times):>9.3f}s"
              f"{limit:>10}  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
