"""DLE EOT 1..4 replies decoded into a PrinterStatus; anything else is a protocol error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terminal_drivers.errors import (
    CoverOpen,
    CutterError,
    PaperOut,
    PrinterOffline,
    PrinterStatusUnknown,
    ProtocolError,
)
from terminal_drivers.printer.status import decode

ALL_OK = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}


def test_all_clear_is_ready() -> None:
    status = decode(ALL_OK)
    assert status.paper == "ok"
    assert status.cover_open is False and status.cutter_error is False and status.offline is False
    assert status.blocking_error is None
    assert status.health.state == "ok"


@pytest.mark.parametrize(("byte", "paper"), [(0x12, "ok"), (0x1E, "near_end"), (0x72, "out"), (0x7E, "out")])
def test_paper_sensor(byte: int, paper: str) -> None:
    assert decode({**ALL_OK, 4: byte}).paper == paper


def test_near_end_is_degraded_but_printable() -> None:
    status = decode({**ALL_OK, 4: 0x1E})
    assert status.blocking_error is None
    assert status.health.as_json() == {"state": "degraded", "reason": "paper_near_end"}


def test_paper_out_refuses() -> None:
    status = decode({1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x72})
    assert isinstance(status.blocking_error, PaperOut)
    assert status.health.as_json() == {"state": "offline", "reason": "paper_out"}


def test_cover_open_refuses_first() -> None:
    status = decode({1: 0x1A, 2: 0x36, 3: 0x12, 4: 0x72})
    assert status.cover_open
    assert isinstance(status.blocking_error, CoverOpen)


def test_cutter_error() -> None:
    status = decode({1: 0x1A, 2: 0x52, 3: 0x1A, 4: 0x12})
    assert status.cutter_error and status.error
    assert isinstance(status.blocking_error, CutterError)


def test_offline_alone_or_unrecoverable_is_printer_offline() -> None:
    assert isinstance(decode({**ALL_OK, 1: 0x1A}).blocking_error, PrinterOffline)
    status = decode({**ALL_OK, 3: 0x32})
    assert status.unrecoverable_error
    assert isinstance(status.blocking_error, PrinterOffline)


def test_no_reply_is_unknown_never_paper_ok() -> None:
    status = decode({})
    assert status.paper == "unknown"
    assert isinstance(status.blocking_error, PrinterStatusUnknown)
    assert status.health.as_json() == {"state": "offline", "reason": "printer_status_unknown"}


def test_partly_answered_is_still_unknown() -> None:
    status = decode({1: 0x12, 2: 0x12, 3: 0x12, 4: None})
    assert status.paper == "unknown"
    assert isinstance(status.blocking_error, PrinterStatusUnknown)


@pytest.mark.parametrize("byte", [0x00, 0xFF, 0x13, 0x92, 0x02, 0x10, 0x16 | 0x80])
def test_byte_breaking_the_fixed_pattern_is_a_protocol_error(byte: int) -> None:
    with pytest.raises(ProtocolError) as caught:
        decode({**ALL_OK, 2: byte})
    assert caught.value.code == "protocol_error"


def test_as_json_shows_raw_bytes() -> None:
    data = decode({**ALL_OK, 4: 0x1E}).as_json()
    assert data["raw"] == ["0x12", "0x12", "0x12", "0x1E"]
    assert data["paper"] == "near_end"


@settings(deadline=None)  # a shared machine: no per-example time limit
@given(st.dictionaries(st.integers(1, 4), st.one_of(st.none(), st.integers(0, 255)), max_size=4))
def test_decoder_fuzz_either_decodes_or_raises_protocol_error(replies: dict[int, int | None]) -> None:
    well_formed = all(b is None or (b & 0x93) == 0x12 for b in replies.values())
    try:
        status = decode(replies)
    except ProtocolError:
        assert not well_formed
        return
    assert well_formed
    assert status.paper in ("ok", "near_end", "out", "unknown")
    assert (status.blocking_error is None) == (status.health.state != "offline")
