"""The kiosk's A4 printer: ``[printers.a4]`` config, the offer with its plain words, the slot's health."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from kiosk.a4_printing import FALLBACK, UNAVAILABLE, UNAVAILABLE_OTHER, A4Offer, KioskA4
from kiosk.config import A4PrinterConfig, ConfigError, load_config, parse_config
from kiosk.devices import DeviceUnavailable, KioskDevices
from terminal_drivers.a4.job_outcome import JobOutcome
from terminal_drivers.a4.printer_state import IDLE, STOPPED, PrinterState, interpret
from terminal_drivers.config import DevicesConfig
from terminal_drivers.devices import Health
from terminal_drivers.errors import DeviceNotFound, PrinterOffline

EXAMPLE = Path(__file__).resolve().parents[3] / "kiosk" / "config.example.toml"
# The least a kiosk config needs: the hall's token and a maintenance PIN (neither has a default).
TOKEN = {"hall": {"token": "kt-test"}, "technician_pin": "246810"}


def test_printers_a4_in_the_example_and_by_default():
    assert load_config(EXAMPLE).printers.a4 == A4PrinterConfig()
    assert parse_config(TOKEN).printers.a4 is None
    data = {**TOKEN, "printers": {"a4": {"queue": "hall-a4", "server": "/run/cups/cups.sock",
                                         "job_timeout_s": 30}}}
    assert parse_config(data).printers.a4 == A4PrinterConfig("hall-a4", "/run/cups/cups.sock", True, 30.0)
    off = {**TOKEN, "printers": {"a4": {"enabled": False}}}
    assert parse_config(off).printers.a4 is None


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"a4": {"queue": " "}}, "printers.a4.queue"),
        ({"a4": {"server": "host:port"}}, "printers.a4.server"),
        ({"a4": {"job_timeout_s": 0}}, "printers.a4.job_timeout_s"),
        ({"a4": {"job_timeout_s": "60"}}, "printers.a4.job_timeout_s"),
        ({"a4": {"colour": True}}, "printers.a4.colour"),
        ({"a3": {}}, "printers.a3"),
        ({"a4": "kiosk-a4"}, "printers.a4"),
    ],
)
def test_bad_a4_settings_name_their_key(table, key):
    with pytest.raises(ConfigError) as bad:
        parse_config({**TOKEN, "printers": table})
    assert bad.value.key == key


class FakeA4:
    """Stands in for A4Printer: a state the test sets, and jobs it records."""

    def __init__(self, config: A4PrinterConfig) -> None:
        self.state: PrinterState = interpret(IDLE, [])
        self.health = self.state.health
        self.jobs: list[str] = []

    async def __aenter__(self) -> FakeA4:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        pass

    async def status(self) -> PrinterState:
        self.health = self.state.health
        return self.state

    async def print_pdf(self, data: bytes, title: str) -> JobOutcome:
        await self.status()
        if not self.state.can_print:
            raise PrinterOffline("refused", code=self.health.reason)
        self.jobs.append(title)
        return JobOutcome(len(self.jobs), "completed", None, (), 0.01)


async def _running(a4: KioskA4) -> Any:
    task = asyncio.ensure_future(a4.run())
    for _ in range(100):
        if a4.slot.driver is not None:
            return task
        await asyncio.sleep(0.01)
    raise AssertionError("the A4 slot did not open")


async def test_offer_follows_the_queue_and_says_why_in_plain_words():
    fakes: list[FakeA4] = []

    def make(config: A4PrinterConfig) -> FakeA4:
        fakes.append(FakeA4(config))
        return fakes[-1]

    a4 = KioskA4(A4PrinterConfig(), retry_s=0.01, poll_s=0.01, make=make)
    assert a4.offer() == A4Offer(False, "not_connected")
    task = await _running(a4)
    try:
        await a4.status()
        assert a4.offer() == A4Offer(True) and a4.offer().msgids == ()
        fakes[0].state = interpret(IDLE, ["toner-low-report"])
        await a4.status()
        assert a4.offer().available and a4.slot.health == Health.degraded("toner_low")
        fakes[0].state = interpret(STOPPED, ["media-empty-error"])
        await a4.status()
        offer = a4.offer()
        assert (offer.available, offer.reason) == (False, "media_empty")
        assert offer.msgids == (UNAVAILABLE["media_empty"], FALLBACK)
        with pytest.raises(PrinterOffline):
            await a4.print_pdf(b"%PDF-1.4", "certificate")
        assert a4.slot.errors[0] == "media_empty"
        fakes[0].state = interpret(STOPPED, ["paused"])
        await a4.status()
        assert a4.offer().msgids == (UNAVAILABLE_OTHER, FALLBACK)
        fakes[0].state = interpret(IDLE, [])
        outcome = await a4.print_certificate(b"%PDF-1.4", "social_insurance_payments")
        assert outcome.ok and fakes[0].jobs == ["certificate social_insurance_payments"]
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_a_driver_that_cannot_open_leaves_the_slot_offline_with_its_code():
    class Unreachable(FakeA4):
        async def __aenter__(self) -> FakeA4:
            raise DeviceNotFound("no CUPS", code="cups_unreachable")

    a4 = KioskA4(A4PrinterConfig(), retry_s=0.01, make=Unreachable)
    task = asyncio.ensure_future(a4.run())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert a4.slot.health == Health.offline("cups_unreachable")
    assert a4.offer() == A4Offer(False, "cups_unreachable")
    with pytest.raises(DeviceUnavailable) as missing:
        await a4.print_pdf(b"%PDF-1.4", "certificate")
    assert missing.value.code == "cups_unreachable"


def test_without_printers_a4_the_kiosk_has_no_a4_slot_and_says_so():
    devices = KioskDevices(DevicesConfig())
    assert [slot.name for slot in devices.slots] == ["printer", "id_card", "scanner"]
    assert "a4_printer" not in devices.snapshot()
    assert devices.a4.offer() == A4Offer(False, "not_configured")
    assert devices.a4.offer().msgids[0] == UNAVAILABLE["not_configured"]
    configured = KioskDevices(DevicesConfig(), a4=A4PrinterConfig())
    assert configured.snapshot()["a4_printer"] == {"state": "offline", "reason": "not_connected"}
