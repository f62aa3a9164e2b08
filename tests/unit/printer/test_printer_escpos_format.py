"""GS ! size, ESC a alignment, ESC E bold: exact bytes."""

from __future__ import annotations

import pytest

from terminal_drivers.printer import escpos


@pytest.mark.parametrize(
    ("width", "height", "n"),
    [(1, 1, 0x00), (2, 1, 0x10), (1, 2, 0x01), (2, 2, 0x11), (3, 3, 0x22), (8, 8, 0x77), (4, 1, 0x30)],
)
def test_size_packs_width_in_high_nibble_and_height_in_low(width: int, height: int, n: int) -> None:
    assert escpos.size(width, height) == bytes([0x1D, 0x21, n])


@pytest.mark.parametrize(("width", "height"), [(0, 1), (1, 0), (9, 1), (1, 9)])
def test_size_out_of_range_is_refused(width: int, height: int) -> None:
    with pytest.raises(escpos.EscPosError):
        escpos.size(width, height)


@pytest.mark.parametrize(("where", "n"), [("left", 0), ("center", 1), ("right", 2)])
def test_align(where: escpos.Align, n: int) -> None:
    assert escpos.align(where) == bytes([0x1B, 0x61, n])


def test_align_unknown_is_refused() -> None:
    with pytest.raises(escpos.EscPosError):
        escpos.align("justify")  # type: ignore[arg-type]


def test_bold_on_and_off() -> None:
    assert escpos.bold() == b"\x1b\x45\x01"
    assert escpos.bold(False) == b"\x1b\x45\x00"


def test_builder_chains_format_commands_in_order() -> None:
    job = escpos.JobBuilder().align("center").size(2, 2).bold().text("A").bold(False).size().build()
    assert job == b"\x1ba\x01\x1d!\x11\x1bE\x01A\x1bE\x00\x1d!\x00"
