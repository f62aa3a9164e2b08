"""IPP printer-state and printer-state-reasons → the kiosk's health for the A4 printer (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terminal_drivers.a4.cups_printer import parse_server
from terminal_drivers.a4.job_outcome import as_keywords, final_outcome
from terminal_drivers.a4.printer_state import CONDITIONS, IDLE, PROCESSING, STOPPED, Reason, interpret


@pytest.mark.parametrize(
    ("state", "reasons", "accepting", "health", "reason"),
    [
        (IDLE, ["none"], True, "ok", None),
        (PROCESSING, [], True, "ok", None),
        (STOPPED, ["paused"], True, "offline", "paused"),
        (IDLE, ["none"], False, "offline", "not_accepting"),
        (STOPPED, ["media-empty-error"], True, "offline", "media_empty"),
        (STOPPED, ["media-empty"], True, "offline", "media_empty"),  # no suffix: an error
        (STOPPED, ["media-needed"], True, "offline", "media_empty"),
        (PROCESSING, ["media-empty-warning"], True, "degraded", "media_empty"),
        (IDLE, ["media-empty-report"], True, "degraded", "media_empty"),
        (STOPPED, ["media-jam-error"], True, "offline", "media_jam"),
        (STOPPED, ["door-open"], True, "offline", "door_open"),
        (STOPPED, ["cover-open-error"], True, "offline", "door_open"),
        (IDLE, ["toner-low-report"], True, "degraded", "toner_low"),
        (IDLE, ["toner-low"], True, "degraded", "toner_low"),  # low toner never stops a job
        (IDLE, ["toner-low-error"], True, "degraded", "toner_low"),
        (IDLE, ["marker-supply-low-warning"], True, "degraded", "toner_low"),
        (STOPPED, ["toner-empty-error"], True, "offline", "toner_empty"),
        (IDLE, ["offline-report"], True, "offline", "offline"),  # CUPS: the backend cannot reach it
        (IDLE, ["offline"], True, "offline", "offline"),
        (STOPPED, [], True, "offline", "stopped"),
        (IDLE, ["cups-waiting-for-job-completed"], True, "ok", None),
        (IDLE, ["cups-insecure-filter-warning"], True, "ok", None),
        (IDLE, ["other-error"], True, "offline", "printer_error"),
        (0, [], True, "offline", "printer_state_unknown"),
        (IDLE, ["  MEDIA-JAM-ERROR "], True, "offline", "media_jam"),
    ],
)
def test_state_reasons_map_to_health(state, reasons, accepting, health, reason):
    result = interpret(state, reasons, accepting)
    assert (result.health.state, result.health.reason) == (health, reason)
    assert result.can_print == (health != "offline")


def test_the_fault_to_fix_first_names_the_state_and_every_fault_is_listed():
    result = interpret(STOPPED, ["paused", "toner-low-report", "media-jam-error", "door-open-error"], False)
    assert result.health.reason == "media_jam"
    assert result.reasons == ("media_jam", "door_open", "paused", "not_accepting", "toner_low")
    assert result.as_json()["state_reasons"] == ["paused", "toner-low-report", "media-jam-error",
                                                 "door-open-error"]


def test_a_paused_queue_with_low_toner_is_offline_not_degraded():
    assert interpret(STOPPED, ["toner-low-report", "paused"]).health.state == "offline"


def test_suffixes_are_split_once_and_a_bare_suffix_is_a_keyword():
    assert Reason.parse("media-jam-error") == Reason("media-jam", "error")
    assert Reason.parse("toner-low-report") == Reason("toner-low", "report")
    assert Reason.parse("door-open") == Reason("door-open", "error")
    assert Reason.parse("-warning") == Reason("-warning", "error")


@given(
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
    st.lists(st.one_of(
        st.text(max_size=40),
        st.builds(lambda k, s: k + s, st.sampled_from(sorted(CONDITIONS)),
                  st.sampled_from(["", "-error", "-warning", "-report"])),
    ), max_size=8),
    st.booleans(),
)
def test_any_attributes_give_a_valid_health(state, reasons, accepting):
    result = interpret(state, reasons, accepting)
    assert result.health.state in ("ok", "degraded", "offline")
    assert (result.health.reason is None) == (result.health.state == "ok")
    if not accepting or state == STOPPED:
        assert not result.can_print
    if result.health.reason is not None:
        assert result.health.reason == result.reasons[0]


@given(st.sampled_from(sorted(CONDITIONS)), st.sampled_from(["", "-error", "-warning", "-report"]))
def test_every_known_keyword_gives_its_code_at_any_severity(keyword, suffix):
    result = interpret(IDLE, [keyword + suffix])
    assert result.reasons == (CONDITIONS[keyword],)


def test_job_outcomes():
    assert final_outcome(7, 5, (), 0.1) is None
    assert final_outcome(7, 9, ("job-completed-successfully",), 0.5).ok
    canceled = final_outcome(7, 7, ("job-canceled-by-user",), 0.5)
    assert canceled is not None and (canceled.state, canceled.reason) == ("canceled", "job_canceled")
    aborted = final_outcome(7, 8, (), 0.5)
    assert aborted is not None and aborted.reason == "job_aborted" and not aborted.ok
    assert as_keywords("none") == ("none",) and as_keywords(["a", "b"]) == ("a", "b")
    assert as_keywords(None) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("localhost:631", ("localhost", 631)), ("localhost", ("localhost", 631)),
     ("/run/cups/cups.sock", ("/run/cups/cups.sock", 631)), ("print.hall:8631", ("print.hall", 8631))],
)
def test_server_addresses(text, expected):
    assert parse_server(text) == expected


@pytest.mark.parametrize("text", ["", "  ", "host:", ":631", "host:abc", "host:70000"])
def test_bad_server_addresses_are_refused(text):
    with pytest.raises(ValueError):
        parse_server(text)


def test_the_test_page_is_one_a4_page_with_chinese_and_rare_name_characters(tmp_path):
    import re
    import shutil
    import subprocess

    from terminal_drivers.a4.testpage import PLAIN_MARK, RARE_CHARACTERS, test_page

    page = test_page("kiosk-a4")
    assert page.startswith(b"%PDF-") and test_page("kiosk-a4") is page  # made once per queue
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "page.pdf"
    path.write_bytes(page)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "A4 打印测试页" in text and RARE_CHARACTERS.split()[0] in text
    assert f"{PLAIN_MARK} - queue kiosk-a4" in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M) and "595.28 x 841.89" in info
