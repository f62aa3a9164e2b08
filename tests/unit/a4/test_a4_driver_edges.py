"""The A4 driver's edges that need no CUPS: bad arguments, pycups missing."""

from __future__ import annotations

import sys

import pytest

from terminal_drivers.a4.cups_printer import A4Printer
from terminal_drivers.errors import DeviceNotFound


@pytest.mark.parametrize(
    ("queue", "server", "timeout"),
    [("", "localhost", 60.0), ("kiosk-a4", "localhost:0", 60.0), ("kiosk-a4", "localhost", 0.0)],
)
def test_bad_arguments_are_refused_at_construction(queue, server, timeout):
    with pytest.raises(ValueError):
        A4Printer(queue, server, job_timeout_s=timeout)


async def test_only_pdf_documents_are_sent():
    with pytest.raises(ValueError):
        await A4Printer("kiosk-a4").print_pdf(b"hello", "not a pdf")


async def test_without_pycups_the_printer_is_offline_with_a_code(monkeypatch):
    monkeypatch.setitem(sys.modules, "cups", None)  # import cups → ImportError
    async with A4Printer("kiosk-a4") as printer:
        assert printer.health.reason == "cups_client_missing"
        with pytest.raises(DeviceNotFound) as missing:
            await printer.status()
    assert missing.value.code == "cups_client_missing"
