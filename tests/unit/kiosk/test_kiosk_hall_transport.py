"""The kiosk's way to its hall through the config loader: one address or several (``hall.urls``), plain
http:// only to this machine (or where the operator says the network is trusted), and a CA file that must
exist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import ConfigError, HallConfig, is_loopback_url, load_config, parse_config

ROOT = Path(__file__).resolve().parents[3]


def _config(**hall: object) -> dict[str, object]:
    return {"hall": {"token": "kt-test", **hall}, "technician_pin": "5820"}


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://127.8.9.10", "http://localhost:8000/",
                                 "http://[::1]:8000", "http://kiosk.localhost", "https://hall.example",
                                 "https://10.0.0.5:8443"])
def test_loopback_http_and_any_https_are_accepted(url: str) -> None:
    assert parse_config(_config(url=url)).hall.url == url


@pytest.mark.parametrize("url", ["http://hall.example", "http://10.0.0.5:8000", "http://[2001:db8::1]/",
                                 "http://localhost.example.com", "http://127.0.0.1.nip.io"])
def test_plain_http_to_another_machine_is_refused_with_its_code(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(_config(url=url))
    assert (caught.value.key, caught.value.code) == ("hall.url", "hall_insecure_url")
    assert str(caught.value).startswith("hall.url: plain http:// to a hall on another machine")


def test_allow_insecure_lets_an_operator_accept_plain_http_on_a_trusted_network() -> None:
    config = parse_config(_config(url="http://10.0.0.5:8000", allow_insecure=True))
    assert config.hall.allow_insecure and config.hall.url == "http://10.0.0.5:8000"


def test_allow_insecure_must_be_a_boolean() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(_config(url="http://10.0.0.5:8000", allow_insecure="yes"))
    assert caught.value.key == "hall.allow_insecure"


def test_a_config_built_in_code_is_refused_the_same_way() -> None:
    with pytest.raises(ConfigError) as caught:
        HallConfig(url="http://hall.example", token="kt")
    assert caught.value.code == "hall_insecure_url"


def test_the_ca_file_must_exist(tmp_path: Path) -> None:
    ca = tmp_path / "hall-ca.pem"
    with pytest.raises(ConfigError) as caught:
        parse_config(_config(url="https://hall.example", ca_file=str(ca)))
    assert (caught.value.key, caught.value.code) == ("hall.ca_file", "hall_ca_file_missing")
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    assert parse_config(_config(url="https://hall.example", ca_file=str(ca))).hall.ca_file == str(ca)


def test_loopback_is_judged_on_the_host_alone() -> None:
    assert is_loopback_url("http://user@127.0.0.1:9/x?y=http://hall.example")
    assert not is_loopback_url("http://hall.example/127.0.0.1")


def test_the_kiosk_does_not_start_on_plain_http_to_another_machine(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('technician_pin = "5820"\n[hall]\nurl = "http://192.0.2.7:8000"\ntoken = "kt-test"\n')
    result = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(config)], capture_output=True,
                            text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("kiosk: bad config: hall.url: plain http:// to a hall on another machine")
    assert line.endswith(" [hall_insecure_url]")
    assert "Traceback" not in result.stderr


def test_the_example_file_documents_both_keys() -> None:
    example = ROOT / "kiosk" / "config.example.toml"
    text = example.read_text(encoding="utf-8")
    assert "ca_file = " in text and "allow_insecure = false" in text
    assert load_config(example).hall.allow_insecure is False


def test_several_hall_addresses_are_tried_in_the_order_given_and_url_is_the_first() -> None:
    hall = parse_config(_config(urls=["https://hall-a.example/", "https://hall-b.example:8443"])).hall
    assert hall.addresses == ("https://hall-a.example", "https://hall-b.example:8443")
    assert hall.url == "https://hall-a.example"
    assert parse_config(_config(url="https://hall.example")).hall.addresses == ("https://hall.example",)


@pytest.mark.parametrize("urls", [
    [], "https://hall.example", [1], ["https://a.example", None], ["ftp://hall.example"], ["https://"],
    ["hall.example"], ["https://a.example", "https://a.example/"], {"a": "https://a.example"},
])
def test_a_bad_list_of_hall_addresses_is_refused_with_its_code(urls: object) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(_config(urls=urls))
    assert (caught.value.key, caught.value.code) == ("hall.urls", "hall_urls_invalid")


def test_hall_url_and_hall_urls_together_are_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(_config(url="https://a.example", urls=["https://b.example"]))
    assert (caught.value.key, caught.value.code) == ("hall.urls", "hall_urls_invalid")


def test_every_listed_address_must_be_safe_to_send_a_token_to() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(_config(urls=["https://a.example", "http://10.0.0.6:8000"]))
    assert (caught.value.key, caught.value.code) == ("hall.urls", "hall_insecure_url")
    assert "http://10.0.0.6:8000" in str(caught.value)
    allowed = parse_config(_config(urls=["http://10.0.0.5:8000", "http://10.0.0.6:8000"],
                                   allow_insecure=True))
    assert allowed.hall.addresses == ("http://10.0.0.5:8000", "http://10.0.0.6:8000")


def test_the_kiosk_does_not_start_on_a_bad_list_of_hall_addresses(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('technician_pin = "5820"\n[hall]\nurls = []\ntoken = "kt-test"\n')
    result = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(config)], capture_output=True,
                            text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("kiosk: bad config: hall.urls: must be a list")
    assert line.endswith(" [hall_urls_invalid]")
