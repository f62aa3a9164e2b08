"""Where the test suite's CPU goes: sums the files ``pytest --cpu-report DIR`` wrote, by test file.

Run: ``TEST_CPU_REPORT=/tmp/cpu scripts/test`` (or ``pytest --cpu-report /tmp/cpu …``), then
``python scripts/cpu_report.py /tmp/cpu [--top 30]``. A test's CPU is its process's; "children" is the
CPU of the subprocesses it started and waited for (a hall server, a browser's driver).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--top", type=int, default=25, help="test files to list (most CPU first)")
    args = parser.parse_args()
    files: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    total = [0.0, 0.0, 0.0]
    for report in sorted(args.folder.glob("cpu-*.json")):
        for test in json.loads(report.read_text("utf-8"))["tests"]:
            row = files[test["test"].split("::")[0]]
            row[0] += 1
            for i, key in enumerate(("wall_s", "cpu_s", "children_cpu_s"), start=1):
                row[i] += test[key]
                total[i - 1] += test[key]
    print(f"{sum(int(r[0]) for r in files.values())} tests: wall {total[0]:.0f} s, CPU {total[1]:.0f} s, "
          f"children's CPU {total[2]:.0f} s")
    print(f"{'tests':>5} {'wall s':>8} {'CPU s':>8} {'children':>8}  file")
    for name, (count, wall, cpu, children) in sorted(files.items(), key=lambda kv: -(kv[1][2] + kv[1][3]))[
            :args.top]:
        print(f"{int(count):5d} {wall:8.1f} {cpu:8.1f} {children:8.1f}  {name}")


if __name__ == "__main__":
    main()
