"""Wire faults as pure state: what each does to bytes, and that bad arguments change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terminal_drivers.sim.engine import SimControlError
from terminal_drivers.sim.faults import WireFaults


def test_no_faults_pass_bytes_unchanged() -> None:
    faults = WireFaults()
    assert faults.inbound(b"\x10\x04\x01") == b"\x10\x04\x01"
    assert faults.outbound(b"\x12") == b"\x12"


def test_silence_and_clear() -> None:
    faults = WireFaults()
    faults.apply("silence", {})
    assert faults.inbound(b"abc") == b"" and faults.outbound(b"abc") == b""
    result = faults.apply("clear_faults", {})
    assert result == {"faults": WireFaults().as_json()}
    assert faults.outbound(b"abc") == b"abc"


def test_drop_direction_is_respected() -> None:
    faults = WireFaults()
    faults.apply("drop", {"probability": 1, "direction": "to_host"})
    assert faults.inbound(b"abc") == b"abc"
    assert faults.outbound(b"abc") == b""


def test_string_numbers_from_the_command_line_are_accepted() -> None:
    faults = WireFaults()
    assert faults.apply("latency", {"seconds": "0.25"}) is not None
    assert faults.latency_s == 0.25


def test_unknown_command_is_not_a_wire_fault() -> None:
    assert WireFaults().apply("paper_out", {}) is None


@given(data=st.binary(max_size=200), seed=st.integers(0, 2**32), p=st.floats(0, 1))
def test_garble_is_seeded_and_flips_single_bits(data: bytes, seed: int, p: float) -> None:
    first, second = WireFaults(seed=seed), WireFaults(seed=seed)
    first.apply("garble", {"probability": p})
    second.apply("garble", {"probability": p})
    out = first.outbound(data)
    assert out == second.outbound(data)
    assert len(out) == len(data)
    assert all(bin(a ^ b).count("1") <= 1 for a, b in zip(data, out, strict=True))


@given(data=st.binary(max_size=200), seed=st.integers(0, 2**32), p=st.floats(0, 1))
def test_drop_keeps_a_subsequence(data: bytes, seed: int, p: float) -> None:
    faults = WireFaults(seed=seed)
    faults.apply("drop", {"probability": p})
    out = iter(data)
    assert all(byte in out for byte in faults.inbound(data))


@given(
    command=st.sampled_from(["latency", "drop", "garble"]),
    value=st.one_of(
        # Outside [0, 60] is wrong for a latency and for a probability alike.
        st.floats(allow_nan=True).filter(lambda v: not 0 <= v <= 60),
        st.text(alphabet="xyz ,", max_size=5),
        st.none(),
        st.booleans(),
        st.lists(st.integers(), max_size=2),
    ),
)
def test_bad_values_raise_and_change_nothing(command: str, value: Any) -> None:
    faults = WireFaults()
    before = faults.as_json()
    key = "seconds" if command == "latency" else "probability"
    with pytest.raises(SimControlError) as caught:
        faults.apply(command, {key: value})
    assert caught.value.code == "bad_argument"
    assert faults.as_json() == before
