"""The maintenance screen's A4 row and test print, against real CUPS with the cups-pdf queue."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.ui

ROOT = Path(__file__).resolve().parents[3]
# This test process's cups-pdf queue (tests/conftest.py: a pytest-xdist worker has its own).
QUEUE = os.environ.get("TEST_A4_QUEUE", "kiosk-a4")


@pytest.fixture(scope="module")
def a4_out() -> Path:
    """CUPS up with the queue (a scheduler started here is left for the A4 integration tests' own
    fixture or the machine: the UI session may print again)."""
    if shutil.which("cupsd") is None:
        pytest.skip("cupsd is not installed (scripts/install-system-deps.sh installs cups and cups-pdf)")
    result = subprocess.run(["bash", str(ROOT / "scripts" / "start-cups.sh"), QUEUE],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


def _unlock(kiosk):
    corner = kiosk.find(id="hidden_corner")
    for _ in range(5):
        kiosk.tap(corner)
    screen = kiosk.wait_for_screen("maintenance")
    pad = kiosk.find(id="pin_pad")
    for digit in kiosk.app.kiosk_config.technician_pin:
        kiosk.tap(kiosk.find(text=digit, root=pad))
    kiosk.tap(kiosk.find(id="pin_ok"))
    kiosk.wait_until(lambda: screen.unlocked, what="maintenance unlocked")
    return screen


def _admin(*command: str) -> None:
    subprocess.run([*command, QUEUE], check=True, capture_output=True, timeout=10)


def test_a4_row_shows_the_queue_and_the_test_page_reaches_cups(kiosk, a4_out):
    a4 = kiosk.app.devices.a4
    kiosk.wait_until(lambda: a4.slot.driver is not None, timeout=20, what="the A4 driver to open")
    kiosk.run(a4.status())
    assert a4.offer().available
    assert kiosk.app.devices.snapshot()["a4_printer"] == {"state": "ok", "reason": None}
    screen = _unlock(kiosk)
    assert "A4 打印机：正常" in kiosk.find(id="device_states").text
    assert kiosk.find(id="a4_state").text == f"A4 打印队列 {QUEUE}（localhost:631）"
    started = time.monotonic()
    kiosk.tap(kiosk.find(id="test_print_a4"))
    kiosk.wait_until(lambda: screen.result.startswith("A4 测试页已打印"), timeout=30, what="A4 printed")
    job = int(screen.result.split("作业 ")[1].rstrip("）。"))
    assert time.monotonic() - started < 30
    assert list(a4_out.glob(f"*job_{job}.pdf")), f"no PDF of job {job} in {a4_out}"
    kiosk.screenshot("maintenance_a4_zh_Hans")
    kiosk.tap(kiosk.find(id="leave"))
    kiosk.wait_for_screen("attract")


def test_a_paused_a4_queue_is_shown_offline_and_its_test_print_refused(kiosk, a4_out):
    a4 = kiosk.app.devices.a4
    kiosk.wait_until(lambda: a4.slot.driver is not None, timeout=20, what="the A4 driver to open")
    _admin("cupsdisable")
    try:
        kiosk.run(a4.status())
        offer = a4.offer()
        assert (offer.available, offer.reason) == (False, "paused")
        assert offer.msgids[-1].startswith("You can print a summary on the ticket printer")
        screen = _unlock(kiosk)
        assert "A4 打印机：离线 (paused)" in kiosk.find(id="device_states").text
        kiosk.tap(kiosk.find(id="test_print_a4"))
        kiosk.wait_until(lambda: screen.result == "失败：paused", timeout=20, what="A4 refusal shown")
        kiosk.tap(kiosk.find(id="leave"))
        kiosk.wait_for_screen("attract")
    finally:
        _admin("cupsenable")
    kiosk.run(a4.status())
    assert a4.offer().available
