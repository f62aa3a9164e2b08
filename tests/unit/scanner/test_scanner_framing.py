"""Cutting scanner bytes into scans: terminators, idle gap, length limit, trigger ack, fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terminal_drivers.scanner.framing import TRIGGER_ACK, TRIGGER_COMMAND, ScanError, ScanFramer


def frame_all(framer: ScanFramer, data: bytes, at: float = 0.0) -> list[bytes | ScanError]:
    return framer.feed(data, at)


def test_scanner_trigger_command_bytes() -> None:
    assert bytes([0x7E, 0x00, 0x08, 0x01, 0x00, 0x02, 0x01, 0xAB, 0xCD]) == TRIGGER_COMMAND


@pytest.mark.parametrize("suffix", [b"\r", b"\n", b"\r\n"])
def test_scanner_auto_accepts_every_terminator_without_empty_scans(suffix: bytes) -> None:
    framer = ScanFramer("auto", idle_gap_s=None)
    assert frame_all(framer, b"ABC" + suffix + b"DEF" + suffix) == [b"ABC", b"DEF"]
    assert not framer.pending


def test_scanner_auto_crlf_split_between_reads() -> None:
    framer = ScanFramer("auto", idle_gap_s=None)
    assert framer.feed(b"ABC\r", 0.0) == [b"ABC"]
    assert framer.feed(b"\nDEF\r", 0.01) == [b"DEF"]
    assert framer.feed(b"\n", 0.02) == []


def test_scanner_strict_terminators_keep_other_line_ends_as_payload() -> None:
    assert frame_all(ScanFramer("cr", idle_gap_s=None), b"A\nB\r") == [b"A\nB"]
    assert frame_all(ScanFramer("lf", idle_gap_s=None), b"A\rB\n") == [b"A\rB"]
    crlf = ScanFramer("crlf", idle_gap_s=None)
    assert crlf.feed(b"A\rB\nC\r", 0.0) == []
    assert crlf.feed(b"\r\n", 0.0) == [b"A\rB\nC\r"]


def test_scanner_idle_gap_ends_a_scan_without_terminator() -> None:
    framer = ScanFramer("none", idle_gap_s=0.05)
    assert framer.feed(b"12345", 1.00) == []
    assert framer.feed(b"678", 1.03) == []  # within the gap: same scan
    assert framer.idle_deadline() == pytest.approx(1.08)
    assert framer.flush_idle(1.07) == []
    assert framer.flush_idle(1.08) == [b"12345678"]
    assert framer.feed(b"9", 2.0) == []
    assert framer.feed(b"0", 2.5) == [b"9"]  # the gap before new bytes ends the old scan
    assert framer.flush_idle(2.6) == [b"0"]


def test_scanner_crlf_mode_cr_before_idle_is_payload() -> None:
    framer = ScanFramer("crlf", idle_gap_s=0.05)
    framer.feed(b"AB\r", 0.0)
    assert framer.flush_idle(0.1) == [b"AB\r"]


def test_scanner_too_long_scan_is_dropped_once_and_framing_recovers() -> None:
    framer = ScanFramer("auto", idle_gap_s=None, max_length=8)
    items = framer.feed(b"0123456789ABCDEF\rOK\r", 0.0)
    assert items == [ScanError("scan_too_long", 16), b"OK"]


def test_scanner_trigger_ack_is_stripped_and_counted() -> None:
    framer = ScanFramer("auto", idle_gap_s=0.05)
    assert framer.feed(TRIGGER_ACK, 0.0) == []
    assert framer.flush_idle(0.1) == []
    assert framer.acks == 1
    assert framer.feed(TRIGGER_ACK + b"CODE\r", 0.2) == [b"CODE"]
    assert framer.acks == 2


@pytest.mark.parametrize(
    "kwargs",
    [{"terminator": "tab"}, {"terminator": "none", "idle_gap_s": None}, {"idle_gap_s": 0}, {"max_length": 0}],
)
def test_scanner_bad_settings_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ScanFramer(**kwargs)  # type: ignore[arg-type]


payloads = st.binary(min_size=1, max_size=40).filter(lambda b: b"\r" not in b and b"\n" not in b)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(payloads, st.sampled_from([b"\r", b"\n", b"\r\n"])), min_size=1, max_size=6),
    st.data(),
)
def test_scanner_scans_survive_any_split(scans: list[tuple[bytes, bytes]], data: st.DataObject) -> None:
    stream = b"".join(p + t for p, t in scans)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    framer = ScanFramer("auto", idle_gap_s=None)
    out: list[bytes | ScanError] = []
    start = 0
    for cut in [*cuts, len(stream)]:
        out += framer.feed(stream[start:cut], 0.0)
        start = cut
    assert out == [p for p, _ in scans]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["auto", "cr", "lf", "crlf", "none"]),
    st.lists(st.tuples(st.binary(max_size=100), st.floats(0, 0.2)), max_size=20),
)
def test_scanner_random_bytes_never_break_the_framer(
    terminator: str, chunks: list[tuple[bytes, float]]
) -> None:
    framer = ScanFramer(terminator, idle_gap_s=0.05, max_length=64)  # type: ignore[arg-type]
    now = 0.0
    for chunk, gap in chunks:
        now += gap
        for item in framer.feed(chunk, now):
            if isinstance(item, ScanError):
                assert item.code == "scan_too_long" and item.length > 64
            else:
                assert 0 < len(item) <= 64
    for item in framer.flush_idle(now + 1.0):
        assert isinstance(item, bytes | ScanError)
    assert not framer.pending


def test_scanner_driver_settings_are_checked_where_set() -> None:
    from terminal_drivers.scanner.scanner import Scanner

    with pytest.raises(ValueError):
        Scanner("loop://", trigger=True, idle_gap_s=None)
    with pytest.raises(ValueError):
        Scanner("loop://", terminator="semicolon")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Scanner("loop://", trigger_window_s=0)
