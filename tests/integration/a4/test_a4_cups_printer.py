"""The A4 driver against real CUPS with the cups-pdf backend: test page, paused and refusing queues."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from terminal_drivers.a4.cups_printer import A4Printer
from terminal_drivers.a4.testpage import PLAIN_MARK, RARE_CHARACTERS, test_page
from terminal_drivers.errors import DeviceNotFound, PrinterOffline

DIAG = str(Path(sys.executable).with_name("kiosk-diag"))


def _run(*command: str) -> str:
    # Short local tools: blocking the loop for them is fine in a test.
    return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout


def _diag(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DIAG, "a4", *args], capture_output=True, text=True, timeout=60)


async def test_the_test_page_comes_out_of_cups_pdf_with_its_text(healthy_queue):
    async with A4Printer(healthy_queue.queue) as printer:
        assert printer.health.state == "ok"
        outcome = await printer.print_pdf(test_page(healthy_queue.queue), "A4 test page")
    assert outcome.ok and outcome.state == "completed" and outcome.reason is None
    pdf = healthy_queue.pdf_of(outcome.job_id)
    assert pdf.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = _run("pdftotext", str(pdf), "-")
        assert f"{PLAIN_MARK} - queue {healthy_queue.queue}" in text
        # The queue renders with Cairo (scripts/start-cups.sh), so even the Chinese stays text.
        assert "A4 打印测试页" in text and RARE_CHARACTERS.split()[0] in text
    assert printer.jobs_printed == 1


async def test_a_paused_queue_is_offline_and_refuses_plainly(healthy_queue):
    healthy_queue.admin("cupsdisable")
    async with A4Printer(healthy_queue.queue) as printer:
        state = await printer.status()
        assert (state.health.state, state.health.reason) == ("offline", "paused")
        assert "paused" in state.keywords
        with pytest.raises(PrinterOffline) as refused:
            await printer.print_pdf(test_page(), "A4 test page")
        assert refused.value.code == "paused"
    healthy_queue.admin("cupsenable")
    async with A4Printer(healthy_queue.queue) as printer:
        assert (await printer.status()).health.state == "ok"


async def test_a_queue_not_accepting_jobs_refuses_them(healthy_queue):
    healthy_queue.admin("cupsreject")
    async with A4Printer(healthy_queue.queue) as printer:
        state = await printer.status()
        assert (state.health.state, state.health.reason) == ("offline", "not_accepting")
        assert not state.accepting
        with pytest.raises(PrinterOffline) as refused:
            await printer.print_pdf(test_page(), "A4 test page")
        assert refused.value.code == "not_accepting"


async def test_missing_queue_and_unreachable_cups_have_their_codes(cups):
    async with A4Printer("no-such-queue") as printer:
        assert printer.health.reason == "queue_not_found"
        with pytest.raises(DeviceNotFound) as missing:
            await printer.status()
        assert missing.value.code == "queue_not_found"
    async with A4Printer(cups.queue, "127.0.0.1:1") as printer:
        assert printer.health.reason == "cups_unreachable"


async def test_a_job_in_a_queue_that_stops_is_withdrawn(healthy_queue, monkeypatch):
    """A printer that stops with a certificate inside must not print it later for someone else."""
    async with A4Printer(healthy_queue.queue, job_timeout_s=30) as printer:
        submit = printer._submit

        def pause_then_submit(data: bytes, title: str) -> int:
            # The queue stops between the driver's check and the job's arrival: the job waits in it.
            healthy_queue.admin("cupsdisable")
            return submit(data, title)

        monkeypatch.setattr(printer, "_submit", pause_then_submit)
        outcome = await printer.print_pdf(test_page(), "A4 test page")
    assert (outcome.state, outcome.reason) == ("printer_stopped", "paused")
    waiting = _run("lpstat", "-W", "not-completed", "-o", healthy_queue.queue)
    assert f"{healthy_queue.queue}-{outcome.job_id} " not in waiting


def test_kiosk_diag_a4_status_and_test_print(healthy_queue):
    ok = _diag("status", "--queue", healthy_queue.queue, "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["health"] == {"state": "ok", "reason": None}
    printed = _diag("test-print", "--queue", healthy_queue.queue, "--json")
    assert printed.returncode == 0, printed.stderr
    job = json.loads(printed.stdout)["job"]
    assert job["state"] == "completed"
    healthy_queue.pdf_of(job["job_id"])
    healthy_queue.admin("cupsdisable")
    paused = _diag("status", "--queue", healthy_queue.queue, "--json")
    assert paused.returncode == 1
    answer = json.loads(paused.stdout)
    assert answer["error"]["code"] == "paused" and answer["status"]["state_reasons"] == ["paused"]
    refused = _diag("test-print", "--queue", healthy_queue.queue)
    assert refused.returncode == 1 and "paused" in refused.stderr
    assert _diag("status", "--server", "a:b").returncode == 2
