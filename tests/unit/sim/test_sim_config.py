"""Device configuration from the kiosk's TOML: defaults, "not fitted", and every bad value named."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terminal_drivers.config import (
    BAUD_RATES,
    DeviceConfigError,
    DevicesConfig,
    PrinterConfig,
    ScannerConfig,
    load_devices,
    parse_devices,
)
from terminal_drivers.errors import ConfigError

EXAMPLE = """
language = "zh_Hans"

[hall]
url = "http://127.0.0.1:8000"

[devices.printer]
driver = "escpos"
url = "/dev/ttyUSB0"
baud = 115200
paper_width_dots = 384
encoding = "gbk"

[devices.id_card]
url = "/dev/ttyUSB1"
poll_interval_s = 1

[devices.scanner]
url = "socket://127.0.0.1:9200"
terminator = "cr"
"""


def test_example_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    devices = load_devices(path)
    assert devices.printer == PrinterConfig(url="/dev/ttyUSB0", paper_width_dots=384, encoding="gbk")
    assert devices.id_card is not None and devices.id_card.poll_interval_s == 1.0
    assert isinstance(devices.id_card.poll_interval_s, float)
    assert devices.id_card.baud == 115200 and devices.id_card.driver == "sam"
    assert devices.scanner == ScannerConfig(url="socket://127.0.0.1:9200", terminator="cr")
    assert devices.scanner.baud == 9600
    assert devices.scanner.terminator_bytes == (b"\r",)


def test_the_kiosk_example_configuration_loads() -> None:
    example = Path(__file__).resolve().parents[3] / "kiosk" / "config.example.toml"
    devices = load_devices(example)
    assert devices.printer is not None and devices.id_card is not None and devices.scanner is not None
    assert devices.scanner.baud == 9600


def test_missing_or_disabled_tables_mean_not_fitted() -> None:
    assert parse_devices({}) == DevicesConfig()
    data = {"devices": {"printer": {"url": "/dev/ttyS0", "enabled": False}, "reconnect_s": 2.0}}
    assert parse_devices(data) == DevicesConfig()


def test_kiosk_spelling_baudrate_is_accepted() -> None:
    devices = parse_devices({"devices": {"scanner": {"url": "/dev/ttyACM0", "baudrate": 115200}}})
    assert devices.scanner is not None and devices.scanner.baud == 115200
    with pytest.raises(DeviceConfigError) as both:
        parse_devices({"devices": {"scanner": {"url": "x", "baudrate": 9600, "baud": 9600}}})
    assert both.value.key == "devices.scanner.baudrate"


PRN, IDC, SCN = "devices.printer.", "devices.id_card.", "devices.scanner."


@pytest.mark.parametrize(
    ("table", "key", "code"),
    [
        ({"printer": {}}, PRN + "url", "config_missing_key"),
        ({"printer": {"url": ""}}, PRN + "url", "config_bad_value"),
        ({"printer": {"url": 5}}, PRN + "url", "config_bad_type"),
        ({"printer": {"url": "x", "baud": 12345}}, PRN + "baud", "config_bad_value"),
        ({"printer": {"url": "x", "baud": True}}, PRN + "baud", "config_bad_type"),
        ({"printer": {"url": "x", "driver": "pcl"}}, PRN + "driver", "config_bad_value"),
        ({"printer": {"url": "x", "paper_width_dots": 500}}, PRN + "paper_width_dots", "config_bad_value"),
        ({"printer": {"url": "x", "encoding": "latin-1"}}, PRN + "encoding", "config_bad_value"),
        ({"printer": {"url": "x", "encoding": "klingon"}}, PRN + "encoding", "config_bad_value"),
        ({"printer": {"url": "x", "encoding": "big5"}}, PRN + "encoding", "config_bad_value"),
        ({"printer": {"url": "x", "colour": "red"}}, PRN + "colour", "config_unknown_key"),
        ({"printer": {"url": "x", "enabled": "yes"}}, PRN + "enabled", "config_bad_type"),
        ({"printer": "ttyUSB0"}, "devices.printer", "config_bad_type"),
        ({"id_card": {"url": "x", "poll_interval_s": 0}}, IDC + "poll_interval_s", "config_bad_value"),
        ({"id_card": {"url": "x", "poll_interval_s": "1"}}, IDC + "poll_interval_s", "config_bad_type"),
        ({"scanner": {"url": "x", "terminator": "tab"}}, SCN + "terminator", "config_bad_value"),
        ({"scanner": {"url": "x", "idle_gap_s": 9}}, SCN + "idle_gap_s", "config_bad_value"),
        ({"scanner": {"url": "x", "trigger": 1}}, SCN + "trigger", "config_bad_type"),
    ],
)
def test_bad_settings_name_their_key(table: dict[str, Any], key: str, code: str) -> None:
    with pytest.raises(DeviceConfigError) as caught:
        parse_devices({"devices": table})
    assert (caught.value.key, caught.value.code) == (key, code)
    assert str(caught.value).startswith(key + ": ")


def test_devices_must_be_a_table() -> None:
    with pytest.raises(DeviceConfigError) as caught:
        parse_devices({"devices": [1, 2]})
    assert caught.value.key == "devices"


def test_unreadable_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as missing:
        load_devices(tmp_path / "nope.toml")
    assert missing.value.code == "config_unreadable"
    broken = tmp_path / "broken.toml"
    broken.write_text("[devices.printer\nurl = 1", encoding="utf-8")
    with pytest.raises(ConfigError) as bad:
        load_devices(broken)
    assert bad.value.code == "config_bad_toml"
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError) as undecodable:
        load_devices(binary)
    assert undecodable.value.code == "config_bad_toml"


_FIELDS = {
    "baud": st.integers().filter(lambda n: n not in BAUD_RATES),
    "paper_width_dots": st.integers().filter(lambda n: n not in (384, 576)),
    "driver": st.text(max_size=8).filter(lambda t: t != "escpos"),
    "url": st.text(alphabet=" \t", max_size=3),
}
_WRONG_TYPES = st.one_of(
    st.booleans(), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(), st.text())
)


@given(data=st.data())
def test_any_bad_printer_value_is_refused_with_its_key(data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(_FIELDS)))
    value = data.draw(st.one_of(_FIELDS[key], _WRONG_TYPES))
    table = {"url": "/dev/ttyUSB0", key: value}
    with pytest.raises(DeviceConfigError) as caught:
        parse_devices({"devices": {"printer": table}})
    assert caught.value.key == f"devices.printer.{key}"


@given(
    poll=st.floats(allow_nan=True, allow_infinity=True).filter(lambda v: not 0.05 <= v <= 10),
    gap=st.floats(allow_nan=True, allow_infinity=True).filter(lambda v: not 0.005 <= v <= 2),
)
def test_out_of_range_intervals_are_refused(poll: float, gap: float) -> None:
    with pytest.raises(DeviceConfigError) as caught:
        parse_devices({"devices": {"id_card": {"url": "x", "poll_interval_s": poll}}})
    assert caught.value.key == "devices.id_card.poll_interval_s"
    with pytest.raises(DeviceConfigError) as gap_caught:
        parse_devices({"devices": {"scanner": {"url": "x", "idle_gap_s": gap}}})
    assert gap_caught.value.key == "devices.scanner.idle_gap_s"


@given(
    baud=st.sampled_from(BAUD_RATES),
    width=st.sampled_from((384, 576)),
    encoding=st.sampled_from(("gb18030", "gbk")),
)
def test_good_values_round_trip_through_toml(baud: int, width: int, encoding: str) -> None:
    text = (
        f'[devices.printer]\nurl = "/dev/ttyS1"\nbaud = {baud}\n'
        f'paper_width_dots = {width}\nencoding = "{encoding}"\n'
    )
    printer = parse_devices(tomllib.loads(text)).printer
    assert printer == PrinterConfig(url="/dev/ttyS1", baud=baud, paper_width_dots=width, encoding=encoding)
