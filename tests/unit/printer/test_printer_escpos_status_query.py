"""DLE EOT n real-time status requests."""

from __future__ import annotations

import pytest

from terminal_drivers.printer import escpos


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_status_query(n: int) -> None:
    assert escpos.status_query(n) == bytes([0x10, 0x04, n])


@pytest.mark.parametrize("n", [0, 5, 0x31])
def test_status_query_out_of_range(n: int) -> None:
    with pytest.raises(escpos.EscPosError):
        escpos.status_query(n)
