"""LF, ESC d n and GS V cuts: exact bytes."""

from __future__ import annotations

import pytest

from terminal_drivers.printer import escpos


def test_line_feed() -> None:
    assert escpos.line_feed() == b"\x0a"


@pytest.mark.parametrize("n", [0, 1, 4, 255])
def test_feed_lines(n: int) -> None:
    assert escpos.feed_lines(n) == bytes([0x1B, 0x64, n])


@pytest.mark.parametrize("n", [-1, 256])
def test_feed_lines_out_of_range(n: int) -> None:
    with pytest.raises(escpos.EscPosError):
        escpos.feed_lines(n)


def test_full_and_partial_cut() -> None:
    assert escpos.cut() == b"\x1d\x56\x00"
    assert escpos.cut(partial=True) == b"\x1d\x56\x01"


def test_feed_then_cut() -> None:
    assert escpos.feed_and_cut(0) == b"\x1d\x56\x41\x00"
    assert escpos.feed_and_cut(24) == b"\x1d\x56\x41\x18"
    assert escpos.feed_and_cut(3, partial=True) == b"\x1d\x56\x42\x03"


def test_feed_then_cut_out_of_range() -> None:
    with pytest.raises(escpos.EscPosError):
        escpos.feed_and_cut(256)


def test_builder_cut_and_feed() -> None:
    assert escpos.JobBuilder().feed(4).cut().build() == b"\x1bd\x04\x1dVA\x00"
