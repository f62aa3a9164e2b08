"""The real ID reader driver against the simulated reader, over a pty and over socket://."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from terminal_drivers.errors import (
    CardReadError,
    DeviceDisconnected,
    DeviceNotFound,
    DeviceTimeout,
    ProtocolError,
    SamError,
)
from terminal_drivers.id_card.models import CardEvent, CardPlaced, CardRemoved
from terminal_drivers.id_card.reader import IdCardReader
from terminal_drivers.sim.id_card import IdCardEngine
from terminal_drivers.sim.runner import DeviceServer
from terminal_drivers.sim.test_cards import CARDS

from .conftest import ReaderSim

# Guards against a hang only; nothing here asserts on time.
GUARD_S = 10.0


# A reply's wait, long enough for a simulator starved of CPU on a loaded machine; the tests of a
# silent or garbled line, which wait it out in full, pass WAITED_OUT_S instead.
REPLY_WAIT_S = 3.0
WAITED_OUT_S = 1.0


def reader_for(sim: ReaderSim, **kwargs: float) -> IdCardReader:
    options: dict[str, float] = {"timeout": REPLY_WAIT_S, "read_timeout": REPLY_WAIT_S,
                                 "reconnect_interval": 0.0}
    options.update(kwargs)
    return IdCardReader(sim.url, **options)  # type: ignore[arg-type]


async def test_idcard_read_once_reads_a_card_once_until_it_is_lifted(reader_sim: ReaderSim) -> None:
    async with reader_for(reader_sim) as reader:
        assert reader.health.state == "ok"
        assert await reader.read_once() is None
        reader_sim.place("luo_rong")
        card = await reader.read_once()
        assert card == CARDS["luo_rong"]
        assert card is not None and card.name == "罗镕" and card.valid_to is None
        assert await reader.read_once() is None  # still on the reader: not read twice
        reader_sim.lift()
        reader_sim.place("luo_rong")
        assert await reader.read_once() == CARDS["luo_rong"]
        assert reader_sim.engine.reads == 2


async def test_idcard_appended_address_is_read_with_the_card(reader_sim: ReaderSim) -> None:
    moved = "广州市天河区体育西路一号"
    reader_sim.server.control("place_card", {"name": "zhang_wei", "appended_address": moved})
    async with reader_for(reader_sim) as reader:
        card = await reader.read_once()
    assert card is not None and card.appended_address == moved
    assert card.address == CARDS["zhang_wei"].address


async def test_idcard_fingerprint_read_when_asked_for(reader_sim: ReaderSim) -> None:
    reader_sim.place("zhang_wei")
    async with reader_for(reader_sim) as plain:
        card = await plain.read_once()
        assert card is not None and card.fingerprint == b""
    reader_sim.lift()
    reader_sim.place("zhang_wei")
    async with reader_for(reader_sim, fingerprint=True) as with_prints:
        card = await with_prints.read_once()
        assert card is not None and card.fingerprint == CARDS["zhang_wei"].fingerprint
        assert len(card.fingerprint) == 1024
        reader_sim.place("chen_kun")  # issued without fingerprints
        card = await with_prints.read_once()
        assert card == CARDS["chen_kun"] and card is not None and card.fingerprint == b""


@pytest.mark.parametrize("name", ["chen_kun", "hk_resident", "foreigner_2017", "foreigner_2023_long_name"])
async def test_idcard_every_card_type_through_the_driver(reader_sim: ReaderSim, name: str) -> None:
    reader_sim.place(name)
    async with reader_for(reader_sim) as reader:
        assert await reader.read_once() == CARDS[name]


async def test_idcard_watch_emits_placed_and_removed(reader_sim: ReaderSim) -> None:
    async with reader_for(reader_sim) as reader:
        events: AsyncIterator[CardEvent] = reader.watch(poll_interval=0.01)
        reader_sim.place("liu_zhe")
        first = await asyncio.wait_for(anext(events), GUARD_S)
        assert isinstance(first, CardPlaced) and first.card == CARDS["liu_zhe"]
        reader_sim.lift()
        assert isinstance(await asyncio.wait_for(anext(events), GUARD_S), CardRemoved)
        reader_sim.place("gulnar")
        again = await asyncio.wait_for(anext(events), GUARD_S)
        assert isinstance(again, CardPlaced) and again.card.nation == "维吾尔"
        await events.aclose()  # type: ignore[attr-defined]
        # One read per placement: the card lying there is not read again and again.
        assert reader_sim.engine.reads == 2


async def test_idcard_read_failure_is_retried_then_reported(reader_sim: ReaderSim) -> None:
    reader_sim.place("zhang_wei")
    reader_sim.fault("read_failed")
    async with reader_for(reader_sim, retries=2) as reader:
        with pytest.raises(CardReadError) as info:
            await reader.read_once()
        assert info.value.code == "card_read_failed"
        assert reader.health.state == "ok"  # the card failed, not the reader
        reader_sim.fault("none")
        assert await reader.read_once() == CARDS["zhang_wei"]


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("auth_31", "card_authentication_failed"),
        ("auth_32", "reader_authentication_failed"),
        ("auth_33", "card_info_verification_failed"),
    ],
)
async def test_idcard_authentication_errors(reader_sim: ReaderSim, kind: str, code: str) -> None:
    reader_sim.place("zhang_wei")
    reader_sim.fault(kind)
    async with reader_for(reader_sim) as reader:
        with pytest.raises(SamError) as info:
            await reader.read_once()
        assert info.value.code == code
        reader_sim.fault("none")
        assert await reader.read_once() == CARDS["zhang_wei"]


async def test_idcard_sam_selftest_failure_degrades_then_recovers(reader_sim: ReaderSim) -> None:
    reader_sim.fault("sam_selftest")
    reader_sim.place("zhang_wei")
    async with reader_for(reader_sim) as reader:
        assert reader.health.state == "degraded" and reader.health.reason == "sam_selftest_failed"
        with pytest.raises(SamError) as info:
            await reader.read_once()
        assert info.value.code == "sam_selftest_failed"
        diag = await reader.diag()
        assert diag["sam_status"] == "sam_selftest_failed"
        reader_sim.fault("none")
        await reader.sam_status()
        assert reader.health.state == "ok"
        assert await reader.read_once() == CARDS["zhang_wei"]


async def test_idcard_silence_times_out_and_recovers(reader_sim: ReaderSim) -> None:
    async with reader_for(reader_sim, timeout=WAITED_OUT_S, read_timeout=WAITED_OUT_S) as reader:
        reader_sim.fault("silence")
        with pytest.raises(DeviceTimeout):
            await reader.read_once()
        assert reader.health.state == "offline" and reader.health.reason == "device_timeout"
        reader_sim.fault("none")
        assert await reader.read_once() is None
        assert reader.health.state == "ok"


async def test_idcard_garbled_reply_is_a_protocol_error_then_recovers(reader_sim: ReaderSim) -> None:
    reader_sim.place("chen_kun")
    async with reader_for(reader_sim) as reader:
        reader_sim.fault("garbled")
        with pytest.raises(ProtocolError) as info:
            await reader.read_once()
        assert info.value.code == "frame_checksum_mismatch"
        assert reader.health.state == "degraded"
        reader_sim.fault("none")
        assert await reader.read_once() == CARDS["chen_kun"]
        assert reader.health.state == "ok"


async def test_idcard_wire_garble_and_latency_from_the_runner(reader_sim: ReaderSim) -> None:
    reader_sim.place("qiqige")
    async with reader_for(reader_sim, retries=0, timeout=WAITED_OUT_S, read_timeout=WAITED_OUT_S) as reader:
        reader_sim.server.control("garble", {"probability": 1.0})
        # Every byte damaged, the preamble too: nothing recognisable arrives, or a bad frame.
        with pytest.raises((ProtocolError, DeviceTimeout)):
            await reader.read_once()
        reader_sim.server.control("clear_faults", {})
        reader_sim.server.control("latency", {"seconds": 0.05})
        assert await reader.read_once() == CARDS["qiqige"]


async def test_idcard_unplug_goes_offline_and_replug_comes_back(reader_sim: ReaderSim) -> None:
    reader_sim.place("zhang_wei")
    async with reader_for(reader_sim) as reader:
        assert reader.health.state == "ok"
        reader_sim.server.control("unplug", {})
        with pytest.raises((DeviceDisconnected, DeviceTimeout)):
            await reader.read_once()
        with pytest.raises(DeviceNotFound):
            await reader.read_once()  # reopening fails while it is unplugged
        assert reader.health.state == "offline"
        reader_sim.server.control("replug", {})
        assert await reader.read_once() == CARDS["zhang_wei"]
        assert reader.health.state == "ok"


async def test_idcard_watch_reports_removal_when_the_reader_vanishes(reader_sim: ReaderSim) -> None:
    reader_sim.place("zhang_wei")
    async with reader_for(reader_sim) as reader:
        events = reader.watch(poll_interval=0.01)
        assert isinstance(await asyncio.wait_for(anext(events), GUARD_S), CardPlaced)
        reader_sim.server.control("unplug", {})
        assert isinstance(await asyncio.wait_for(anext(events), GUARD_S), CardRemoved)
        assert reader.health.state == "offline"
        reader_sim.lift()
        reader_sim.place("chen_kun")
        reader_sim.server.control("replug", {})
        back = await asyncio.wait_for(anext(events), GUARD_S)
        assert isinstance(back, CardPlaced) and back.card == CARDS["chen_kun"]
        assert reader.health.state == "ok"
        await events.aclose()  # type: ignore[attr-defined]


async def test_idcard_missing_reader_opens_offline(tmp_path: object) -> None:
    async with IdCardReader("/dev/nonexistent-id-reader", reconnect_interval=0.0) as reader:
        assert reader.health.state == "offline"
        assert reader.health.reason == "device_not_found"
        with pytest.raises(DeviceNotFound):
            await reader.read_once()


async def test_idcard_diag_reports_sam_id(reader_sim: ReaderSim) -> None:
    async with reader_for(reader_sim) as reader:
        diag = await reader.diag()
    assert diag["sam_id"] == "05.01-20240101-0000123456-0987654321"
    assert diag["sam_status"] == "ok" and diag["health"] == {"state": "ok", "reason": None}


async def test_idcard_realistic_read_time_is_waited_for() -> None:
    with DeviceServer(IdCardEngine(read_delay_s=0.4)) as server:
        url = server.start_pty()
        server.control("place_card", {"name": "zhang_wei"})
        async with IdCardReader(url, timeout=1.0, retries=0) as reader:
            # A read deadline shorter than the reader's read time is a timeout ...
            with pytest.raises(DeviceTimeout):
                await reader.read_once(timeout=0.1)
            server.control("lift_card", {})
            server.control("place_card", {"name": "zhang_wei"})
            # ... a longer one gets the card.
            assert await reader.read_once(timeout=2.0) == CARDS["zhang_wei"]


async def test_idcard_close_interrupts_a_slow_read() -> None:
    with DeviceServer(IdCardEngine(read_delay_s=30.0)) as server:
        url = server.start_pty()
        server.control("place_card", {"name": "zhang_wei"})
        reader = IdCardReader(url)
        await reader.open()
        pending = asyncio.ensure_future(reader.read_once(timeout=60.0))
        # The read reply is on its way (30 s): closing must not wait for it.
        await asyncio.sleep(0)
        await asyncio.wait_for(reader.close(), GUARD_S)
        with pytest.raises(DeviceDisconnected):
            await asyncio.wait_for(pending, GUARD_S)
