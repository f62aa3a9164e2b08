"""The simulated reader's byte engine on its own: every command and fault, byte for byte."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terminal_drivers.id_card.models import CardPlaced
from terminal_drivers.id_card.protocol import (
    Command,
    FrameDecoder,
    ReplyFrame,
    Sw3,
    build_command,
    build_reply,
    parse_reply,
    split_read_data,
)
from terminal_drivers.id_card.text import parse_text
from terminal_drivers.sim.engine import SimControlError
from terminal_drivers.sim.id_card import IdCardEngine
from terminal_drivers.sim.test_cards import CARDS


def ask(engine: IdCardEngine, command: Command) -> ReplyFrame:
    raw = engine.receive(build_command(command))
    (body,) = FrameDecoder().feed(raw)
    assert isinstance(body, bytes)
    return parse_reply(body)


@pytest.fixture
def engine() -> IdCardEngine:
    return IdCardEngine(read_delay_s=0.0)


def test_idcard_engine_answers_status_commands(engine: IdCardEngine) -> None:
    ok = bytes.fromhex("AA AA AA 96 69 00 04 00 00 90 94")
    assert engine.receive(build_command(Command.SAM_STATUS)) == ok
    assert ask(engine, Command.RESET).sw3 == Sw3.OK
    sam = ask(engine, Command.SAM_ID)
    assert sam.sw3 == Sw3.OK and len(sam.data) == 16


def test_idcard_engine_no_card_is_80(engine: IdCardEngine) -> None:
    assert engine.receive(build_command(Command.FIND_CARD)) == build_reply(Sw3.NO_CARD)
    assert ask(engine, Command.SELECT_CARD).sw3 == Sw3.SELECT_FAILED
    assert ask(engine, Command.READ_TEXT_PHOTO).sw3 == Sw3.READ_FAILED


def test_idcard_engine_reads_a_placed_card_once_until_lifted(engine: IdCardEngine) -> None:
    engine.control("place_card", {"name": "chen_kun"})
    assert ask(engine, Command.FIND_CARD).sw3 == Sw3.FIND_OK
    assert ask(engine, Command.SELECT_CARD).sw3 == Sw3.OK
    raw = engine.receive(build_command(Command.READ_TEXT_PHOTO))
    assert len(raw) == 1295
    (body,) = FrameDecoder().feed(raw)
    assert isinstance(body, bytes)
    parts = split_read_data(parse_reply(body).data)
    assert parse_text(parts.text, parts.photo) == CARDS["chen_kun"]
    # Still on the reader: find fails, select still answers.
    assert ask(engine, Command.FIND_CARD).sw3 == Sw3.NO_CARD
    assert ask(engine, Command.SELECT_CARD).sw3 == Sw3.OK
    assert ask(engine, Command.READ_APPENDED_ADDRESS).sw3 == Sw3.NO_CONTENT  # there, nothing appended
    engine.control("lift_card", {})
    assert ask(engine, Command.SELECT_CARD).sw3 == Sw3.SELECT_FAILED
    assert ask(engine, Command.READ_APPENDED_ADDRESS).sw3 == Sw3.READ_FAILED
    engine.control("place_card", {"name": "chen_kun"})
    assert ask(engine, Command.FIND_CARD).sw3 == Sw3.FIND_OK


def test_idcard_engine_fingerprint_read_and_appended_address(engine: IdCardEngine) -> None:
    engine.control("place_card", {"name": "zhang_wei", "appended_address": "迁至广州市天河区"})
    ask(engine, Command.FIND_CARD)
    ask(engine, Command.SELECT_CARD)
    read = ask(engine, Command.READ_WITH_FINGERPRINT)
    assert read.sw3 == Sw3.OK
    assert split_read_data(read.data, with_fingerprint=True).fingerprint == CARDS["zhang_wei"].fingerprint
    address = ask(engine, Command.READ_APPENDED_ADDRESS)
    assert address.sw3 == Sw3.OK and address.data.decode("utf-16-le").strip() == "迁至广州市天河区"
    engine.control("place_card", {"name": "zhang_wei"})
    ask(engine, Command.FIND_CARD)
    ask(engine, Command.SELECT_CARD)
    assert ask(engine, Command.READ_APPENDED_ADDRESS).sw3 == Sw3.NO_CONTENT


def test_idcard_engine_rejects_bad_checksum_length_and_command(engine: IdCardEngine) -> None:
    bad = bytearray(build_command(Command.FIND_CARD))
    bad[-1] ^= 1
    assert engine.receive(bytes(bad)) == build_reply(Sw3.CHECKSUM_ERROR)
    assert engine.receive(bytes.fromhex("AA AA AA 96 69 00 01 00")) == build_reply(Sw3.LENGTH_ERROR)
    unknown = bytes.fromhex("AA AA AA 96 69 00 03 55 55") + bytes([0x03])
    assert engine.receive(unknown) == build_reply(Sw3.COMMAND_ERROR)
    # It still answers properly afterwards, even when a command arrives byte by byte.
    frame = build_command(Command.SAM_STATUS)
    replies = b"".join(engine.receive(frame[i : i + 1]) for i in range(len(frame)))
    assert replies == build_reply(Sw3.OK)


@pytest.mark.parametrize(
    ("kind", "sw3"),
    [("read_failed", 0x41), ("auth_31", 0x31), ("auth_32", 0x32), ("auth_33", 0x33)],
)
def test_idcard_engine_card_faults(engine: IdCardEngine, kind: str, sw3: int) -> None:
    engine.control("place_card", {"name": "zhang_wei"})
    engine.control("fault", {"kind": kind})
    ask(engine, Command.FIND_CARD)
    ask(engine, Command.SELECT_CARD)
    assert ask(engine, Command.READ_TEXT_PHOTO).sw3 == sw3
    engine.control("fault", {"kind": "none"})
    assert ask(engine, Command.FIND_CARD).sw3 == Sw3.FIND_OK  # a failed read leaves the card findable


def test_idcard_engine_reader_faults(engine: IdCardEngine) -> None:
    engine.control("fault", {"kind": "sam_selftest"})
    assert ask(engine, Command.SAM_STATUS).sw3 == Sw3.SAM_SELFTEST_FAILED
    engine.control("fault", {"kind": "silence"})
    assert engine.receive(build_command(Command.SAM_STATUS)) == b""
    engine.control("fault", {"kind": "garbled"})
    garbled = engine.receive(build_command(Command.SAM_STATUS))
    assert len(garbled) == 11 and garbled != build_reply(Sw3.OK)
    assert FrameDecoder().feed(garbled)[0] != b"\x00\x00\x90"
    engine.control("clear_faults", {})
    assert ask(engine, Command.SAM_STATUS).sw3 == Sw3.OK


def test_idcard_engine_read_delay_only_for_reads() -> None:
    engine = IdCardEngine()
    assert engine.read_delay_s == 1.0
    engine.control("place_card", {"name": "zhang_wei"})
    engine.receive(build_command(Command.FIND_CARD))
    assert engine.reply_delay() == 0.0
    engine.receive(build_command(Command.SELECT_CARD))
    engine.receive(build_command(Command.READ_TEXT_PHOTO))
    assert engine.reply_delay() == 1.0


def test_idcard_engine_controls_validate_arguments(engine: IdCardEngine) -> None:
    assert engine.control("list_cards", {})["cards"] == sorted(CARDS)
    with pytest.raises(SimControlError) as info:
        engine.control("place_card", {"name": "nobody"})
    assert info.value.code == "unknown_card"
    with pytest.raises(SimControlError):
        engine.control("place_card", {"name": "zhang_wei", "appended_address": "长" * 36})
    assert engine.status()["card"] is None
    with pytest.raises(SimControlError):
        engine.control("fault", {"kind": "meteor"})
    with pytest.raises(SimControlError):
        engine.control("explode", {})
    assert engine.control("status", {})["state"] == "absent"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=10))
def test_idcard_engine_answers_noise_with_clean_frames_only(chunks: list[bytes]) -> None:
    engine = IdCardEngine(read_delay_s=0.0)
    engine.control("place_card", {"name": "zhang_wei"})
    decoder = FrameDecoder()
    for chunk in chunks:
        for item in decoder.feed(engine.receive(chunk)):
            assert isinstance(item, bytes)  # whatever it is sent, it answers in well-formed frames
    # And it still works afterwards.
    engine.receive(b"\x00" * 4100)
    assert ask(engine, Command.SAM_STATUS).sw3 == Sw3.OK


def test_idcard_placed_event_repr_is_masked() -> None:
    text = repr(CardPlaced(CARDS["chen_kun"]))
    assert "陈堃" not in text and "310104197802150023" not in text
