"""The simulated printer's incremental ESC/POS parser, status answers and control commands."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terminal_drivers.printer import escpos
from terminal_drivers.sim.engine import SimControlError
from terminal_drivers.sim.printer import PrinterEngine
from terminal_drivers.sim.ticket_render import QrBlock, TextLine

DLE_EOT = {n: bytes([0x10, 0x04, n]) for n in (1, 2, 3, 4)}


def simple_job(text: str = "排队号 A001") -> bytes:
    return escpos.JobBuilder().init().align("center").size(2, 2).line(text).size().qr("QR-1").cut().build()


def test_a_job_makes_one_ticket_with_its_text_and_qr() -> None:
    engine = PrinterEngine()
    assert engine.receive(simple_job()) == b""
    assert engine.errors == []
    (ticket,) = engine.tickets
    assert "排队号 A001" in ticket.text
    assert ticket.qr_payloads == ["QR-1"]
    line = ticket.printed.elements[0]
    assert isinstance(line, TextLine)
    assert line.align == "center" and line.runs[0].width == 2 and line.runs[0].height == 2


def test_a_command_split_across_reads_is_parsed_whole() -> None:
    data = simple_job("堃喆镕")
    engine = PrinterEngine()
    for i in range(len(data)):
        engine.receive(data[i : i + 1])
    assert engine.errors == []
    assert "堃喆镕" in engine.tickets[0].text
    assert engine.tickets[0].qr_payloads == ["QR-1"]


def test_status_answers_from_state() -> None:
    engine = PrinterEngine()
    assert engine.receive(b"".join(DLE_EOT.values())) == bytes([0x12, 0x12, 0x12, 0x12])
    engine.control("paper_near_end", {})
    assert engine.receive(DLE_EOT[4]) == b"\x1e"
    engine.control("paper_out", {})
    assert engine.receive(b"".join(DLE_EOT.values())) == bytes([0x1A, 0x32, 0x12, 0x72])
    engine.control("paper_ok", {})
    engine.control("cover_open", {})
    assert engine.receive(DLE_EOT[1] + DLE_EOT[2]) == bytes([0x1A, 0x16])
    engine.control("cover_close", {})
    engine.control("cutter_error", {})
    assert engine.receive(DLE_EOT[2] + DLE_EOT[3]) == bytes([0x52, 0x1A])
    engine.control("clear_errors", {})
    assert engine.receive(b"".join(DLE_EOT.values())) == bytes([0x12] * 4)


def test_status_query_split_across_reads() -> None:
    engine = PrinterEngine()
    assert engine.receive(b"\x10") == b""
    assert engine.receive(b"\x04") == b""
    assert engine.receive(b"\x04") == b"\x12"


@pytest.mark.parametrize("fault", ["paper_out", "cover_open", "cutter_error"])
def test_a_stopped_printer_drops_the_job_but_answers_status(fault: str) -> None:
    engine = PrinterEngine()
    engine.control(fault, {})
    assert engine.receive(simple_job() + DLE_EOT[1]) == b"\x1a"
    assert engine.tickets == []
    assert engine.state()["dropped"] > 0


def test_unknown_esc_command_is_reported_and_parsing_resumes() -> None:
    engine = PrinterEngine()
    engine.receive(escpos.init() + b"\x1b\x99" + b"after\n" + escpos.cut())
    assert [e.code for e in engine.errors] == ["unknown_command"]
    assert engine.tickets[0].text.strip() == "after"


def test_known_command_outside_the_subset_is_skipped_whole() -> None:
    # ESC ! 0x38 (print mode) must not print "8" as text.
    engine = PrinterEngine()
    engine.receive(escpos.init() + b"\x1b\x21\x38" + b"x\n" + escpos.cut())
    assert [e.code for e in engine.errors] == ["unsupported_command"]
    assert engine.tickets[0].text.strip() == "x"


def test_esc_cut_short_by_the_next_command_resynchronises() -> None:
    engine = PrinterEngine()
    engine.receive(b"\x1b" + escpos.init() + b"ok\n" + escpos.cut())
    assert [e.code for e in engine.errors] == ["malformed_command"]
    assert engine.tickets[0].text.strip() == "ok"


def test_bad_parameters_are_reported() -> None:
    engine = PrinterEngine()
    engine.receive(b"\x1ba\x07" + b"\x1d!\x88" + b"\x10\x04\x09" + b"\x1dV\x07")
    assert [e.code for e in engine.errors] == ["bad_parameter"] * 4


def test_stray_control_byte_and_invalid_double_byte_are_reported() -> None:
    engine = PrinterEngine()
    engine.receive(
        escpos.init() + escpos.chinese_on() + b"\x07" + b"\xff" + b"\x81\x0a" + b"z\n" + escpos.cut()
    )
    codes = [e.code for e in engine.errors]
    assert codes == ["unknown_control_byte", "invalid_text", "invalid_text"]
    assert engine.tickets[0].text.split("\n")[-2].endswith("z")


def test_hanzi_without_chinese_mode_come_out_as_code_page_garbage() -> None:
    engine = PrinterEngine()
    engine.receive(escpos.init() + "号".encode("gb18030") + b"\n" + escpos.cut())
    assert "号" not in engine.tickets[0].text


def test_qr_print_without_data_and_oversized_qr_are_reported() -> None:
    engine = PrinterEngine(paper_width_dots=384)
    engine.receive(escpos.qr_print())
    assert engine.errors[-1].code == "qr_no_data"
    engine.receive(escpos.qr_code("x" * 600, module_size=8))
    assert engine.errors[-1].code == "qr_too_wide"


def test_unsupported_symbol_is_skipped_by_its_length() -> None:
    # GS ( k with cn = 0x30 (PDF417) and 4 bytes of parameters.
    engine = PrinterEngine()
    engine.receive(escpos.init() + b"\x1d(k\x04\x000A\x01\x02" + b"y\n" + escpos.cut())
    assert [e.code for e in engine.errors] == ["unsupported_command"]
    assert engine.tickets[0].text.strip() == "y"


def test_long_text_wraps_at_the_paper_edge() -> None:
    engine = PrinterEngine(paper_width_dots=384)
    engine.receive(escpos.init() + escpos.chinese_on() + ("一" * 20).encode("gb18030") + b"\n" + escpos.cut())
    lines = [e for e in engine.tickets[0].printed.elements if isinstance(e, TextLine)]
    assert [len(line.text) for line in lines] == [16, 4]


def test_init_discards_an_unprinted_line() -> None:
    engine = PrinterEngine()
    engine.receive(b"lost" + escpos.init() + b"kept\n" + escpos.cut())
    assert engine.tickets[0].text.strip() == "kept"


def test_partial_cut_and_empty_cut() -> None:
    engine = PrinterEngine()
    engine.receive(escpos.cut())
    assert engine.tickets == []
    engine.receive(b"a\n" + escpos.feed_and_cut(3, partial=True))
    assert engine.tickets[0].partial_cut


def test_qr_block_takes_module_size_and_level() -> None:
    engine = PrinterEngine()
    engine.receive(escpos.qr_code("abc", module_size=4, level="H") + escpos.cut())
    block = engine.tickets[0].printed.elements[0]
    assert isinstance(block, QrBlock)
    assert (block.module_size, block.error_level, block.payload) == (4, "H", b"abc")


def test_out_dir_gets_numbered_text_and_png(tmp_path: Path) -> None:
    engine = PrinterEngine(out_dir=tmp_path)
    engine.receive(simple_job("一") + simple_job("二"))
    # Rendering comes after the reply, when the runner polls the engine (on a drawing thread: the tickets
    # wait for it).
    assert list(tmp_path.iterdir()) == []
    assert engine.poll_output() == b""
    assert len(engine.tickets) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0001.png", "0001.txt", "0002.png", "0002.txt"]
    assert "二" in (tmp_path / "0002.txt").read_text(encoding="utf-8")
    assert (tmp_path / "0001.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert engine.tickets[1].png_path == tmp_path / "0002.png"


def test_control_commands() -> None:
    engine = PrinterEngine()
    state = engine.control("paper_near_end", {})
    assert state["paper"] == "near_end" and state["status_bytes"][3] == "0x1E"
    engine.receive(simple_job())
    assert engine.control("status", {})["tickets"] == 1
    tickets = engine.control("tickets", {"since": 0})["tickets"]
    assert tickets[0]["qr_payloads"] == ["QR-1"]
    assert engine.control("tickets", {"since": 1}) == {"tickets": []}
    engine.receive(b"\x1b\x99")
    assert engine.control("errors", {})["errors"][0]["code"] == "unknown_command"


def test_bad_control_commands_raise_with_a_code() -> None:
    engine = PrinterEngine()
    with pytest.raises(SimControlError) as caught:
        engine.control("explode", {})
    assert caught.value.code == "unknown_command"
    with pytest.raises(SimControlError) as caught:
        engine.control("tickets", {"since": "x"})
    assert caught.value.code == "bad_argument"


def test_errors_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="terminal_drivers.sim.printer"):
        PrinterEngine().receive(b"\x1b\x99")
    assert "unknown_command" in caplog.text


def test_paper_width_is_checked() -> None:
    with pytest.raises(ValueError):
        PrinterEngine(paper_width_dots=500)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=64), max_size=12))
def test_fuzz_random_bytes_never_raise_nor_hang(chunks: list[bytes]) -> None:
    engine = PrinterEngine()
    for chunk in chunks:
        reply = engine.receive(chunk)
        assert all((b & 0x93) == 0x12 for b in reply)
    assert all(issue.code for issue in engine.errors)


_PIECES = [
    escpos.init(),
    escpos.chinese_on(),
    escpos.chinese_off(),
    escpos.size(2, 2),
    escpos.align("center"),
    escpos.bold(),
    escpos.feed_lines(1),
    escpos.qr_code("fuzz"),
    escpos.cut(),
    b"\x10\x04\x01",
    "文字".encode("gb18030"),
    b"text\n",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.binary(max_size=6)), max_size=30), st.integers(1, 7))
def test_fuzz_commands_and_noise_in_any_split(pieces: list[bytes], step: int) -> None:
    data = b"".join(pieces)
    engine = PrinterEngine()
    replies = b"".join(engine.receive(data[i : i + step]) for i in range(0, len(data), step))
    whole = PrinterEngine()
    whole_replies = whole.receive(data)
    # Splitting the stream never changes what is printed. Replies may: a status query inside a
    # command's data is answered only if it arrives while the command still waits for that data.
    assert all((b & 0x93) == 0x12 for b in replies + whole_replies)
    assert [t.text for t in whole.tickets] == [t.text for t in engine.tickets]
    assert [e.code for e in whole.errors] == [e.code for e in engine.errors]
    noise = any(p not in _PIECES for p in pieces)
    if not noise:
        assert engine.errors == []


def test_paper_running_out_mid_ticket_leaves_an_incomplete_stub() -> None:
    engine = PrinterEngine()
    engine.control("paper_out_after", {"lines": 2})
    engine.receive(escpos.init() + b"one\ntwo\nthree\n" + escpos.cut() + b"\x10\x04\x04")
    (stub,) = engine.tickets
    assert not stub.complete
    assert stub.text.split() == ["one", "two"]
    assert engine.paper == "out"
    assert engine.state()["dropped"] > 0
    engine.control("paper_ok", {})
    engine.receive(b"fresh\n" + escpos.cut())
    assert engine.tickets[1].complete and engine.tickets[1].text.split() == ["fresh"]


def test_paper_out_after_needs_a_positive_count() -> None:
    with pytest.raises(SimControlError):
        PrinterEngine().control("paper_out_after", {"lines": 0})


def test_memory_keeps_the_latest_errors_and_counts_all() -> None:
    engine = PrinterEngine()
    engine.receive(b"\x07" * 2000)
    assert engine.error_count == 2000
    assert len(engine.errors) == 500
    assert engine.state()["errors"] == 2000


def test_status_is_answered_even_behind_a_job_broken_off_mid_command() -> None:
    engine = PrinterEngine()
    # A QR store announcing 100 bytes of data, of which 10 arrive before the host gives up.
    broken = b"\x1d(k\x67\x001P0" + b"x" * 10
    assert engine.receive(broken) == b""
    assert engine.receive(b"\x10\x04\x01") == b"\x12"
    assert engine.receive(b"\x10") == b""
    assert engine.receive(b"\x04\x04") == b"\x12"
    # Once the command's data is complete the queries inside it are not answered a second time.
    assert engine.receive(b"y" * 100) == b""
    assert engine.status_queries == 2
    assert engine.receive(b"\x10\x04\x02") == b"\x12"


def test_status_is_answered_while_a_cut_ticket_is_still_being_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """A printer answers DLE EOT while it prints: drawing a ticket (seconds for the first one, which loads
    the fonts) must not hold up the line thread's replies."""
    import threading

    import terminal_drivers.sim.printer as sim_printer

    drawing, release = threading.Event(), threading.Event()
    real_png = sim_printer.ticket_png

    def slow_png(printed: object) -> bytes:
        drawing.set()
        assert release.wait(10)
        return real_png(printed)  # type: ignore[arg-type]

    monkeypatch.setattr(sim_printer, "ticket_png", slow_png)
    engine = PrinterEngine()
    assert engine.receive(simple_job()) == b""
    line = threading.Thread(target=engine.poll_output, daemon=True)  # the runner's line thread
    line.start()
    line.join(5)
    assert not line.is_alive()  # handed the drawing on, not drawing itself
    assert drawing.wait(5)
    assert len(engine.receive(escpos.status_query(1))) == 1  # answered mid-drawing
    release.set()
    [ticket] = engine.tickets  # waits for the drawing
    assert "排队号 A001" in ticket.text and ticket.png.startswith(b"\x89PNG")
