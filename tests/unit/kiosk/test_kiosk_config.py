"""The kiosk's TOML config: defaults, the example file, errors that name the key, exit 2 on bad."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.config import ConfigError, HallConfig, KioskConfig, load_config, parse_config

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "kiosk" / "config.example.toml"


def test_example_file_loads_with_every_device():
    config = load_config(EXAMPLE)
    assert config.language == "zh_Hans"
    assert config.devices.printer is not None and config.devices.printer.paper_width_dots == 576
    assert config.devices.scanner is not None and config.devices.scanner.baud == 9600
    assert config.timeouts.idle_s == 60 and config.timeouts.warning_s == 20
    assert config.hall.token == "demo-kiosk-token-HQ"


TOKEN = {"hall": {"token": "kt-test"}, "technician_pin": "5820"}


def test_a_file_with_only_the_token_and_pin_gives_defaults_without_devices():
    config = parse_config(TOKEN)
    assert config == KioskConfig(hall=HallConfig(token="kt-test"), technician_pin="5820")
    assert config.language == "zh_Hans" and config.hall.url == "http://127.0.0.1:8000"
    assert config.devices.printer is None


@pytest.mark.parametrize("data", [{}, {"hall": {"url": "http://hall:8000"}}, {"hall": {"token": ""}},
                                  {"hall": {"token": "   "}}])
def test_a_missing_or_empty_token_is_refused_with_its_code(data):
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert (caught.value.key, caught.value.code) == ("hall.token", "hall_token_missing")
    assert str(caught.value).startswith("hall.token: missing")


def test_a_config_built_in_code_needs_a_token_too():
    with pytest.raises(ConfigError) as caught:
        KioskConfig()
    assert caught.value.code == "hall_token_missing"
    with pytest.raises(ConfigError):
        HallConfig(url="http://hall:8000", token="")


@pytest.mark.parametrize("pin", [None, ""])
def test_a_missing_or_empty_pin_is_refused_with_its_code(pin):
    data: dict[str, object] = {"hall": {"token": "kt-test"}}
    if pin is not None:
        data["technician_pin"] = pin
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert (caught.value.key, caught.value.code) == ("technician_pin", "technician_pin_missing")
    assert str(caught.value).startswith("technician_pin: missing")


def test_a_config_built_in_code_needs_a_pin_too():
    with pytest.raises(ConfigError) as caught:
        KioskConfig(hall=HallConfig(token="kt-test"))
    assert caught.value.code == "technician_pin_missing"
    with pytest.raises(ConfigError) as caught:
        KioskConfig(hall=HallConfig(token="kt-test"), technician_pin="  ")
    assert caught.value.code == "technician_pin_missing"


def test_the_example_file_names_no_default_pin():
    assert 'technician_pin = "000000"' not in EXAMPLE.read_text(encoding="utf-8")
    assert load_config(EXAMPLE).technician_pin != "000000"


def test_other_faults_keep_the_general_code():
    with pytest.raises(ConfigError) as caught:
        parse_config({"hall": {"token": "kt-test"}, "technician_pin": "5820", "language": "fr"})
    assert caught.value.code == "config_invalid"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"colour": "red"}, "colour"),
        ({"language": "fr"}, "language"),
        ({"technician_pin": "12"}, "technician_pin"),
        ({"technician_pin": 1234}, "technician_pin"),
        ({"hall": {"url": "ftp://x"}}, "hall.url"),
        ({"hall": {"timeout_s": 0}}, "hall.timeout_s"),
        ({"hall": "http://x"}, "hall"),
        ({"screen": {"width": "wide"}}, "screen.width"),
        ({"screen": {"fullscreen": 1}}, "screen.fullscreen"),
        ({"screen": {"orientation": "diagonal"}}, "screen.orientation"),
        ({"timeouts": {"idle_s": -1}}, "timeouts.idle_s"),
        ({"timeouts": {"idle_s": True}}, "timeouts.idle_s"),
        ({"devices": {"printer": {"url": "/dev/ttyUSB0", "baudrate": 12345}}}, "devices.printer.baud"),
        ({"devices": {"printer": {"url": "/dev/ttyUSB0", "paper_width_dots": 500}}},
         "devices.printer.paper_width_dots"),
        ({"devices": {"printer": {}}}, "devices.printer.url"),
        ({"devices": {"fax": {}}}, "devices.fax"),
    ],
)
def test_bad_values_name_their_key(data, key):
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert caught.value.key == key
    # With the token given, the same fault is still the one named.
    hall = data.get("hall")
    with_token = {**TOKEN, **data}
    if isinstance(hall, dict):
        with_token["hall"] = {"token": "kt-test", **hall}
    with pytest.raises(ConfigError) as caught:
        parse_config(with_token)
    assert caught.value.key == key
    assert str(caught.value).startswith(key)


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[hall\nurl = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


_values = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=True),
                    st.text(max_size=12))
_keys = st.sampled_from(["hall", "screen", "timeouts", "devices", "language", "technician_pin", "url",
                         "idle_s", "width", "printer", "baudrate", "x"])
_tables = st.recursive(_values, lambda inner: st.dictionaries(_keys, inner, max_size=4), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _tables, max_size=5))
def test_any_document_is_a_config_or_a_config_error(data):
    try:
        config = parse_config(data)
    except ConfigError as exc:
        assert exc.key is not None
    else:
        assert isinstance(config, KioskConfig)


def _run_kiosk(*args):
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=60, cwd=ROOT,
    )


def test_kiosk_command_without_a_pin_does_not_start(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('[hall]\nurl = "http://127.0.0.1:9"\ntoken = "kt-test"\n')
    result = _run_kiosk("--config", str(config))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("kiosk: bad config: technician_pin: missing")


def test_kiosk_command_exits_2_with_one_line_on_bad_config(tmp_path):
    bad = tmp_path / "kiosk.toml"
    bad.write_text('[hall]\ntoken = "kt-test"\n[timeouts]\nidle_s = "soon"\n')
    result = _run_kiosk("--config", str(bad))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == ["kiosk: bad config: timeouts.idle_s: must be a number"]


@pytest.mark.parametrize("text", ['[hall]\nurl = "http://127.0.0.1:9"\n', None])
def test_kiosk_command_without_a_token_does_not_start(tmp_path, text):
    args: tuple[str, ...] = ()
    if text is not None:
        config = tmp_path / "kiosk.toml"
        config.write_text(text)
        args = ("--config", str(config))
    result = _run_kiosk(*args)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("kiosk: bad config: hall.token: missing")
