"""Real-time status bytes with a single sensor bit set, written from the ESC/POS manual's tables.

Some printers wire only one of the two roll-paper sensors, so they report paper end with bit 5 or
bit 6 alone (and near end with bit 2 or bit 3 alone). The bytes below are spelled out as literals
from the manual (fixed pattern 0xx1xx10 = 0x12, plus the sensor bit), not built from the decoder's
own constants, so a decoder that waits for both bits fails here.
"""

from __future__ import annotations

import pytest

from terminal_drivers.errors import PaperOut
from terminal_drivers.printer.status import decode

READY = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}


@pytest.mark.parametrize(
    ("byte", "meaning"),
    [
        (0x32, "DLE EOT 4, bit 5 only: roll paper end sensor 1"),
        (0x52, "DLE EOT 4, bit 6 only: roll paper end sensor 2"),
    ],
)
def test_one_paper_end_bit_is_paper_out(byte: int, meaning: str) -> None:
    status = decode({**READY, 4: byte})
    assert status.paper == "out", meaning
    assert isinstance(status.blocking_error, PaperOut), meaning
    assert status.health.as_json() == {"state": "offline", "reason": "paper_out"}


@pytest.mark.parametrize(
    ("byte", "meaning"),
    [
        (0x16, "DLE EOT 4, bit 2 only: near-end sensor 1"),
        (0x1A, "DLE EOT 4, bit 3 only: near-end sensor 2"),
    ],
)
def test_one_near_end_bit_is_near_end(byte: int, meaning: str) -> None:
    status = decode({**READY, 4: byte})
    assert status.paper == "near_end", meaning
    assert status.blocking_error is None
    assert status.health.as_json() == {"state": "degraded", "reason": "paper_near_end"}


def test_paper_stop_alone_in_the_offline_cause_refuses_the_job() -> None:
    """DLE EOT 2 = 0x32: bit 5 'printing stopped by paper end', while the roll sensor byte still
    reads clear (a printer that reports the stop before its sensor byte catches up)."""
    status = decode({**READY, 2: 0x32})
    assert status.paper == "ok"
    assert status.paper_stop is True
    assert isinstance(status.blocking_error, PaperOut)
