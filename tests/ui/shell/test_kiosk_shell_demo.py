"""``kiosk-demo`` starts the hall, the simulators and the kiosk, and Ctrl-C stops all of it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from terminal_drivers.sim.control import send_control

pytestmark = [pytest.mark.ui, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]


def test_demo_starts_everything_and_ctrl_c_stops_it(display, tmp_path):
    out = tmp_path / "tickets"
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.demo", "--out", str(out), "--data-dir", str(data),
         "--size", "1280x720"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "DISPLAY": display},
    )
    lines: list[str] = []
    devices_ok = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip())
            if "kiosk.devices: printer: ok" in line:
                devices_ok.set()
        devices_ok.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert devices_ok.wait(120), "\n".join(lines[-30:])
        assert proc.poll() is None, "\n".join(lines[-30:])
        assert f"printed tickets: {out}" in lines
        assert (data / "devices" / "printer").is_symlink()
        assert (data / "hall.db").is_file()
        # What the demo prints works: the staff console answers, the control channel drives a device.
        console = next(line for line in lines if line.startswith("staff console: ")).split()[2]
        assert "云坐席" in requests.get(console, timeout=10).text
        screen = next(line for line in lines if line.startswith("calling screen: ")).split()[2]
        assert "/display/files/display.js" in requests.get(screen, timeout=10).text
        control = next(line for line in lines if line.startswith("device control: ")).split()[5]
        placed = send_control(control, "place_card", {"name": "chen_kun"}, device="id_card")
        assert placed["card"] == "chen_kun"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0, "\n".join(lines[-120:])
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(10)
    # The simulators took their links with them: nothing is left running.
    assert not (data / "devices" / "printer").exists()
