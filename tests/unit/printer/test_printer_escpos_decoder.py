"""The ESC/POS decoder reads back what the builder writes, in any split, and reports the rest."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terminal_drivers.printer import escpos
from terminal_drivers.printer import escpos_decoder as d


def decode(data: bytes, encoding: str = "gb18030") -> list[d.Command]:
    return d.EscPosDecoder(encoding).feed(data)


@pytest.mark.parametrize(
    ("data", "command"),
    [
        (escpos.init(), d.Init()),
        (escpos.chinese_on(), d.ChineseMode(True)),
        (escpos.chinese_off(), d.ChineseMode(False)),
        (escpos.size(3, 2), d.CharSize(3, 2)),
        (escpos.align("right"), d.Justify("right")),
        (escpos.bold(), d.Emphasis(True)),
        (escpos.bold(False), d.Emphasis(False)),
        (escpos.line_feed(), d.LineFeed()),
        (escpos.feed_lines(5), d.FeedLines(5)),
        (escpos.qr_module_size(7), d.QrModuleSize(7)),
        (escpos.qr_error_level("Q"), d.QrErrorLevel("Q")),
        (escpos.qr_store(b"abc"), d.QrStore(b"abc")),
        (escpos.qr_print(), d.QrPrint()),
        (escpos.cut(), d.Cut(partial=False, feed_dots=0)),
        (escpos.cut(partial=True), d.Cut(partial=True, feed_dots=0)),
        (escpos.feed_and_cut(9, partial=True), d.Cut(partial=True, feed_dots=9)),
        (escpos.status_query(3), d.StatusRequest(3)),
    ],
)
def test_each_builder_command_decodes_to_itself(data: bytes, command: d.Command) -> None:
    assert decode(data) == [command]


def test_qr_model_is_accepted_silently() -> None:
    assert decode(escpos.qr_model()) == []


def test_text_needs_chinese_mode_for_hanzi() -> None:
    data = "号A".encode("gb18030")
    assert decode(escpos.chinese_on() + data)[1:] == [d.Text("号"), d.Text("A")]
    assert d.Text("号") not in decode(data)


def test_four_byte_gb18030_and_gbk() -> None:
    four = "㐀".encode("gb18030")
    assert decode(escpos.chinese_on() + four)[1:] == [d.Text("㐀")]
    issues = [c for c in decode(escpos.chinese_on() + four, "gbk") if isinstance(c, d.Issue)]
    assert issues and issues[0].code == "invalid_text"


def test_issue_offsets_point_into_the_stream() -> None:
    (issue,) = [c for c in decode(b"ab\x1b\x99") if isinstance(c, d.Issue)]
    assert (issue.code, issue.offset) == ("unknown_command", 2)


def test_incomplete_command_is_held() -> None:
    decoder = d.EscPosDecoder()
    assert decoder.feed(b"\x1d\x28\x6b\x06\x00\x31") == []
    assert decoder.pending == 6
    assert decoder.feed(b"\x50\x30ABC") == [d.QrStore(b"ABC")]
    assert decoder.pending == 0 and decoder.offset == 11


def test_status_request_inside_held_data_is_real_time() -> None:
    decoder = d.EscPosDecoder()
    assert decoder.feed(b"\x1d(k\x10\x001P0" + b"\x10\x04\x04") == [d.StatusRequest(4, realtime=True)]
    assert decoder.feed(b"z" * 10) == [d.QrStore(b"\x10\x04\x04" + b"z" * 10)]


def test_unknown_encoding() -> None:
    with pytest.raises(ValueError):
        d.EscPosDecoder("utf-8")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("排队号堃喆镕 A1a,。（）\n"), max_size=60))
def test_builder_text_round_trips(text: str) -> None:
    job = escpos.JobBuilder().init().text(text).build()
    chars = "".join(
        c.char if isinstance(c, d.Text) else "\n" for c in decode(job) if isinstance(c, d.Text | d.LineFeed)
    )
    assert chars == text


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.integers(1, 9))
def test_fuzz_any_bytes_in_any_split(data: bytes, step: int) -> None:
    whole = [c for c in decode(data) if not (isinstance(c, d.StatusRequest) and c.realtime)]
    decoder = d.EscPosDecoder()
    parts: list[d.Command] = []
    for i in range(0, len(data), step):
        parts += decoder.feed(data[i : i + step])
    split = [c for c in parts if not (isinstance(c, d.StatusRequest) and c.realtime)]
    # In-stream commands never depend on how the bytes were split.
    assert [c for c in split if not isinstance(c, d.StatusRequest)] == [
        c for c in whole if not isinstance(c, d.StatusRequest)
    ]
    assert all(c.code for c in parts if isinstance(c, d.Issue))
