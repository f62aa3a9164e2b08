"""Native QR through GS ( k: model, module size, error level, store, print."""

from __future__ import annotations

import pytest

from terminal_drivers.printer import escpos


def test_model_2() -> None:
    assert escpos.qr_model() == bytes.fromhex("1d 28 6b 04 00 31 41 32 00")


def test_module_size() -> None:
    assert escpos.qr_module_size(6) == bytes.fromhex("1d 28 6b 03 00 31 43 06")


@pytest.mark.parametrize("dots", [0, 17])
def test_module_size_out_of_range(dots: int) -> None:
    with pytest.raises(escpos.EscPosError):
        escpos.qr_module_size(dots)


def test_error_level_m() -> None:
    assert escpos.qr_error_level("M") == bytes.fromhex("1d 28 6b 03 00 31 45 31")
    assert escpos.qr_error_level("H") == bytes.fromhex("1d 28 6b 03 00 31 45 33")


def test_store_length_is_data_plus_three() -> None:
    assert escpos.qr_store(b"ABC") == bytes.fromhex("1d 28 6b 06 00 31 50 30") + b"ABC"


def test_store_length_uses_both_bytes() -> None:
    data = b"x" * 300
    assert escpos.qr_store(data)[3:5] == bytes([(303) & 0xFF, 303 >> 8])


def test_store_refuses_empty_and_oversized_data() -> None:
    with pytest.raises(escpos.EscPosError):
        escpos.qr_store(b"")
    escpos.qr_store(b"x" * 2331, "M")
    with pytest.raises(escpos.EscPosError):
        escpos.qr_store(b"x" * 2332, "M")
    with pytest.raises(escpos.EscPosError):
        escpos.qr_code("x" * 1274, level="H")


def test_print() -> None:
    assert escpos.qr_print() == bytes.fromhex("1d 28 6b 03 00 31 51 30")


def test_whole_sequence_encodes_text_as_utf8() -> None:
    seq = escpos.qr_code("票", module_size=4)
    assert seq == (
        bytes.fromhex("1d286b0400314132 00")
        + bytes.fromhex("1d286b0300314304")
        + bytes.fromhex("1d286b0300314531")
        + bytes.fromhex("1d286b0600315030")
        + "票".encode()
        + bytes.fromhex("1d286b0300315130")
    )
