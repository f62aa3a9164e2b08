"""SAM frames: exact command bytes, a golden reply, the SW3 table and the incremental decoder."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terminal_drivers.errors import CardReadError, ProtocolError, SamError
from terminal_drivers.id_card.protocol import (
    PREAMBLE,
    Command,
    FrameDecoder,
    FrameError,
    Sw3,
    build_command,
    build_reply,
    checksum,
    format_sam_id,
    parse_reply,
    plausible_reply,
    reply_error,
    split_read_data,
    sw3_error,
)
from terminal_drivers.id_card.text import build_text
from terminal_drivers.sim.test_cards import CARDS

COMMAND_FRAMES = {
    Command.RESET: "AA AA AA 96 69 00 03 10 FF EC",
    Command.SAM_STATUS: "AA AA AA 96 69 00 03 11 FF ED",
    Command.SAM_ID: "AA AA AA 96 69 00 03 12 FF EE",
    Command.FIND_CARD: "AA AA AA 96 69 00 03 20 01 22",
    Command.SELECT_CARD: "AA AA AA 96 69 00 03 20 02 21",
    Command.READ_TEXT_PHOTO: "AA AA AA 96 69 00 03 30 01 32",
    Command.READ_APPENDED_ADDRESS: "AA AA AA 96 69 00 03 30 03 30",
    Command.READ_WITH_FINGERPRINT: "AA AA AA 96 69 00 03 30 10 23",
}


@pytest.mark.parametrize(("command", "frame"), COMMAND_FRAMES.items())
def test_idcard_command_frames_are_byte_exact(command: Command, frame: str) -> None:
    assert build_command(command) == bytes.fromhex(frame)


def test_idcard_short_replies_are_byte_exact() -> None:
    assert build_reply(Sw3.OK) == bytes.fromhex("AA AA AA 96 69 00 04 00 00 90 94")
    assert build_reply(Sw3.NO_CARD) == bytes.fromhex("AA AA AA 96 69 00 04 00 00 80 84")
    found = bytes.fromhex("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
    assert build_reply(Sw3.FIND_OK, b"\0\0\0\0") == found


def test_idcard_golden_read_reply_has_the_documented_offsets() -> None:
    card = CARDS["zhang_wei"]
    text = build_text(card)
    frame = build_reply(Sw3.OK, (256).to_bytes(2, "big") + (1024).to_bytes(2, "big") + text + card.photo_wlt)
    assert len(frame) == 1295
    assert frame[:5] == PREAMBLE
    assert frame[5:7] == bytes.fromhex("05 08")  # 1288 bytes after LEN, CHK included
    assert frame[7:10] == bytes.fromhex("00 00 90")
    assert frame[10:12] == bytes.fromhex("01 00") and frame[12:14] == bytes.fromhex("04 00")
    assert frame[14:270] == text
    assert frame[270:1294] == card.photo_wlt
    assert frame[1294] == checksum(frame[5:1294])
    # 张 is U+5F20: UCS-2 little-endian at the very start of the text.
    assert frame[14:16] == bytes.fromhex("20 5F")
    (body,) = FrameDecoder().feed(frame)
    assert isinstance(body, bytes)
    parts = split_read_data(parse_reply(body).data)
    assert parts.text == text and parts.photo == card.photo_wlt


@pytest.mark.parametrize(
    ("sw3", "error", "code"),
    [
        (0x81, CardReadError, "card_select_failed"),
        (0x41, CardReadError, "card_read_failed"),
        (0x91, CardReadError, "card_no_content"),
        (0x40, CardReadError, "card_type_unsupported"),
        (0x10, ProtocolError, "reader_checksum_error"),
        (0x11, ProtocolError, "reader_length_error"),
        (0x21, ProtocolError, "reader_command_error"),
        (0x24, ProtocolError, "reader_unknown_error"),
        (0x23, SamError, "sam_operation_unauthorised"),
        (0x31, SamError, "card_authentication_failed"),
        (0x32, SamError, "reader_authentication_failed"),
        (0x33, SamError, "card_info_verification_failed"),
        (0x60, SamError, "sam_selftest_failed"),
        (0x77, ProtocolError, "reader_status_unknown"),
    ],
)
def test_idcard_sw3_maps_to_error_codes(sw3: int, error: type[Exception], code: str) -> None:
    found = sw3_error(sw3)
    assert isinstance(found, error)
    assert found.code == code


@pytest.mark.parametrize("sw3", [0x90, 0x9F, 0x80])
def test_idcard_success_and_no_card_are_not_errors(sw3: int) -> None:
    assert sw3_error(sw3) is None
    parse_reply(bytes([0, 0, sw3])).raise_for_status()


def test_idcard_decoder_skips_garbage_and_reports_bad_checksum() -> None:
    good = build_reply(Sw3.OK)
    bad = bytearray(build_reply(Sw3.FIND_OK, b"\0\0\0\0"))
    bad[-1] ^= 0xFF
    decoder = FrameDecoder()
    items = decoder.feed(b"\x00\x13garbage" + bytes(bad) + good)
    assert len(items) == 2
    assert isinstance(items[0], FrameError) and items[0].code == "frame_checksum_mismatch"
    assert items[1] == b"\x00\x00\x90"
    assert decoder.pending == 0


def test_idcard_decoder_reports_impossible_length_and_resyncs() -> None:
    decoder = FrameDecoder()
    items = decoder.feed(PREAMBLE + b"\xff\xff" + build_reply(Sw3.NO_CARD))
    assert isinstance(items[0], FrameError) and items[0].code == "frame_length_invalid"
    assert items[1:] == [b"\x00\x00\x80"]


def test_idcard_decoder_waits_for_the_rest_of_a_frame() -> None:
    frame = build_reply(Sw3.OK, b"\x01\x02")
    decoder = FrameDecoder()
    assert decoder.feed(frame[:3]) == []
    assert decoder.feed(frame[3:9]) == []
    assert decoder.feed(frame[9:]) == [b"\x00\x00\x90\x01\x02"]


def test_idcard_read_data_with_wrong_lengths_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError) as info:
        split_read_data((255).to_bytes(2, "big") + (1024).to_bytes(2, "big") + bytes(1279))
    assert info.value.code == "read_reply_length"
    with pytest.raises(ProtocolError):
        split_read_data(b"\x01")


def test_idcard_sam_id_is_formatted_like_vendor_tools() -> None:
    raw = bytes.fromhex("0500 0100 e5d63401 40e20100 b168de3a")
    assert format_sam_id(raw) == "05.01-20240101-0000123456-0987654321"
    with pytest.raises(ProtocolError):
        format_sam_id(b"\x01")


frames = st.builds(
    lambda sw3, data: build_reply(sw3, data), st.integers(0, 255), st.binary(max_size=64)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(frames, min_size=1, max_size=5), st.data())
def test_idcard_frames_survive_any_split(frame_list: list[bytes], data: st.DataObject) -> None:
    stream = b"".join(frame_list)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    decoder = FrameDecoder()
    bodies: list[bytes | FrameError] = []
    start = 0
    for cut in [*cuts, len(stream)]:
        bodies += decoder.feed(stream[start:cut])
        start = cut
    assert bodies == [f[7:-1] for f in frame_list]


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=3000), st.lists(st.integers(1, 64), max_size=20))
def test_idcard_decoder_never_raises_on_noise(noise: bytes, chunks: list[int]) -> None:
    decoder = FrameDecoder()
    at = 0
    for size in [*chunks, len(noise)]:
        for item in decoder.feed(noise[at : at + size]):
            assert isinstance(item, bytes | FrameError)
            if isinstance(item, FrameError):
                assert item.code in ("frame_checksum_mismatch", "frame_length_invalid")
        at += size
    # Whatever garbage came first, a clean frame afterwards is still decoded.
    tail = decoder.feed(b"\x00" * 4100 + build_reply(Sw3.OK))
    assert tail[-1] == b"\x00\x00\x90"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=40), st.integers(0, 10), st.integers(0, 7))
def test_idcard_a_flipped_bit_is_never_taken_for_a_good_frame(data: bytes, index: int, bit: int) -> None:
    frame = bytearray(build_reply(Sw3.OK, data))
    position = 7 + index % (len(frame) - 7)
    frame[position] ^= 1 << bit
    items = FrameDecoder().feed(bytes(frame))
    assert bytes([0, 0, Sw3.OK]) + data not in items


def test_idcard_late_replies_are_told_apart_by_status_and_size() -> None:
    read_reply = parse_reply(bytes([0, 0, 0x90]) + bytes(1284))
    find_ok = parse_reply(bytes([0, 0, 0x9F, 0, 0, 0, 0]))
    select_ok = parse_reply(bytes([0, 0, 0x90]) + bytes(8))
    no_card = parse_reply(bytes([0, 0, 0x80]))
    read_failed = parse_reply(bytes([0, 0, 0x41]))
    assert plausible_reply(Command.READ_TEXT_PHOTO, read_reply)
    assert not plausible_reply(Command.FIND_CARD, read_reply)  # a late read reply is no find reply
    assert not plausible_reply(Command.SELECT_CARD, read_reply)
    assert plausible_reply(Command.FIND_CARD, find_ok) and plausible_reply(Command.FIND_CARD, no_card)
    assert not plausible_reply(Command.READ_TEXT_PHOTO, find_ok)
    assert not plausible_reply(Command.SELECT_CARD, no_card)
    assert plausible_reply(Command.SELECT_CARD, select_ok)
    assert not plausible_reply(Command.READ_TEXT_PHOTO, select_ok)
    assert plausible_reply(Command.READ_TEXT_PHOTO, read_failed)


def test_idcard_reply_error_for_an_out_of_place_success() -> None:
    error = reply_error(parse_reply(bytes([0, 0, 0x9F])))
    assert isinstance(error, ProtocolError) and error.code == "reader_unexpected_status"
    assert reply_error(parse_reply(bytes([0, 0, 0x41]))).code == "card_read_failed"
