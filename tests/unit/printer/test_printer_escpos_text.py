"""ESC @, FS & / FS . and text encoding: exact bytes."""

from __future__ import annotations

import logging

import pytest

from terminal_drivers.printer import escpos


def test_init_is_esc_at() -> None:
    assert escpos.init() == b"\x1b\x40"


def test_chinese_mode_on_and_off() -> None:
    assert escpos.chinese_on() == b"\x1c\x26"
    assert escpos.chinese_off() == b"\x1c\x2e"


def test_hanzi_encode_as_gb18030_double_bytes() -> None:
    data, substituted = escpos.encode_text("排队A1", "gb18030")
    assert data == bytes.fromhex("c5c5 b6d3") + b"A1"
    assert substituted == []


def test_rare_name_characters_are_in_gbk() -> None:
    data, substituted = escpos.encode_text("堃喆镕", "gbk")
    assert data == "堃喆镕".encode("gbk")
    assert len(data) == 6
    assert substituted == []


def test_yen_sign_is_substituted_by_fullwidth_yen() -> None:
    data, substituted = escpos.encode_text("¥5", "gb18030")
    assert data == bytes.fromhex("a3a4") + b"5"
    assert substituted == ["¥"]


def test_euro_sign_becomes_letters_on_gbk() -> None:
    # Python's gbk codec maps € to the single byte 0x80, which a printer in Chinese mode misreads.
    data, substituted = escpos.encode_text("€", "gbk")
    assert data == b"EUR"
    assert substituted == ["€"]


def test_character_outside_the_font_becomes_question_mark() -> None:
    # U+20BB7 is a four-byte GB18030 code outside Extension A: the font has no glyph for it.
    data, substituted = escpos.encode_text("吉\U00020bb7", "gb18030")
    assert data == "吉".encode("gb18030") + b"?"
    assert substituted == ["\U00020bb7"]


def test_extension_a_character_is_kept_on_gb18030_and_substituted_on_gbk() -> None:
    data, substituted = escpos.encode_text("㐀", "gb18030")
    assert data == "㐀".encode("gb18030") and len(data) == 4 and substituted == []
    data, substituted = escpos.encode_text("㐀", "gbk")
    assert data == b"?" and substituted == ["㐀"]


def test_control_characters_cannot_inject_commands() -> None:
    data, substituted = escpos.encode_text("a\x1bVb\x1dc", "gb18030")
    assert data == b"a?Vb?c"
    assert substituted == ["\x1b", "\x1d"]


def test_newline_is_a_line_feed() -> None:
    assert escpos.encode_text("a\nb")[0] == b"a\nb"


def test_unknown_encoding_is_refused() -> None:
    with pytest.raises(escpos.EscPosError):
        escpos.encode_text("x", "utf-8")
    with pytest.raises(escpos.EscPosError):
        escpos.JobBuilder("big5")


def test_builder_starts_with_init_and_chinese_mode() -> None:
    job = escpos.JobBuilder().init().line("号").build()
    assert job == b"\x1b\x40\x1c\x26" + "号".encode("gb18030") + b"\n"


def test_builder_logs_substitutions_once_per_job(caplog: pytest.LogCaptureFixture) -> None:
    job = escpos.JobBuilder().init()
    for _ in range(3):
        job.line("¥12 – ¥3")
    with caplog.at_level(logging.WARNING, logger="terminal_drivers.printer.escpos"):
        job.build()
    records = [r for r in caplog.records if "substituted" in r.getMessage()]
    assert len(records) == 1
    assert "U+00A5" in records[0].getMessage() and "U+2013" in records[0].getMessage()
    # The log names code points only, never the text (it may be a citizen's name).
    assert "12" not in records[0].getMessage()


def test_builder_logs_nothing_when_everything_printable(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="terminal_drivers.printer.escpos"):
        escpos.JobBuilder().init().line("正常文字 plain").build()
    assert not caplog.records
