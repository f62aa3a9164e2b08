"""Real CUPS for the A4 tests: scripts/start-cups.sh starts cupsd (if needed) and the cups-pdf queue."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# This test process's cups-pdf queue (tests/conftest.py: a pytest-xdist worker has its own).
QUEUE = os.environ.get("TEST_A4_QUEUE", "kiosk-a4")
PID_FILE = Path("/run/cups/kiosk-cupsd.pid")


@dataclass(frozen=True)
class Cups:
    queue: str
    out_dir: Path

    def pdf_of(self, job_id: int, wait_s: float = 5.0) -> Path:
        """The PDF cups-pdf wrote for ``job_id`` (its Label option ends each name in ``job_N``)."""
        deadline = time.monotonic() + wait_s
        while True:
            found = sorted(self.out_dir.glob(f"*job_{job_id}.pdf"))
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"no PDF for job {job_id} in {self.out_dir}")
            time.sleep(0.05)

    def admin(self, *command: str) -> None:
        subprocess.run([*command, self.queue], check=True, capture_output=True, timeout=10)


def _running() -> bool:
    result = subprocess.run(["lpstat", "-r"], capture_output=True, text=True, env={"LC_ALL": "C"})
    return "scheduler is running" in result.stdout


@pytest.fixture(scope="session")
def cups() -> Iterator[Cups]:
    if shutil.which("cupsd") is None:
        pytest.skip("cupsd is not installed (scripts/install-system-deps.sh installs cups and cups-pdf)")
    started_here = not _running()
    result = subprocess.run(["bash", str(ROOT / "scripts" / "start-cups.sh"), QUEUE],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    out_dir = Path(result.stdout.strip().splitlines()[-1])
    yield Cups(QUEUE, out_dir)
    subprocess.run(["cupsenable", QUEUE], capture_output=True)
    subprocess.run(["cupsaccept", QUEUE], capture_output=True)
    if started_here and PID_FILE.is_file():
        # Only a scheduler this session started is stopped; one started by CI or a person stays.
        subprocess.run(["kill", PID_FILE.read_text().strip()], capture_output=True)
        PID_FILE.unlink(missing_ok=True)


@pytest.fixture
def healthy_queue(cups: Cups) -> Iterator[Cups]:
    """The queue enabled and accepting before and after each test (fault tests change both)."""
    cups.admin("cupsenable")
    cups.admin("cupsaccept")
    yield cups
    cups.admin("cupsenable")
    cups.admin("cupsaccept")
