"""The kiosk's TOML configuration, validated at load with errors that name the offending key."""

from __future__ import annotations

import ipaddress
import tomllib
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kiosk.handwriting.zinnia import DEFAULT_MODEL as HANDWRITING_MODEL
from kiosk.i18n import LANGUAGES, N_
from kiosk.voice.engines import ENGINES as VOICE_ENGINES
from terminal_drivers.a4.cups_printer import parse_server
from terminal_drivers.config import DevicesConfig, parse_devices
from terminal_drivers.errors import ConfigError as DeviceConfigError


class ConfigError(ValueError):
    """A bad configuration file: ``key`` names the offending setting, ``code`` the kind of fault."""

    code = "config_invalid"

    def __init__(self, key: str, message: str, *, code: str | None = None) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key
        if code is not None:
            self.code = code


def is_loopback_url(url: str) -> bool:
    """Whether the URL's host is this machine (localhost, 127.0.0.0/8, ::1): nothing crosses a wire."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class HallConfig:
    url: str = "http://127.0.0.1:8000"
    # Several addresses of one hall (its nodes, or proxies before them), instead of ``url``: a request
    # whose connection fails goes to the next, and the one that answers stays in use. ``url`` is then
    # the first of them.
    urls: tuple[str, ...] = ()
    # Required: without it the hall refuses every call, so a kiosk without one does not start.
    token: str = ""
    site: str = "HQ"
    timeout_s: float = 5.0
    # The CA (PEM) that signed the hall's certificate, for halls on a private CA; empty: the system's.
    ca_file: str = ""
    # Plain http:// to a hall on another machine sends the token and citizens' data readable on the
    # wire: refused unless this says the network is trusted (a lab, a test bench).
    allow_insecure: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.token, str) or not self.token.strip():
            raise ConfigError(
                "hall.token", "missing: give this kiosk's token (hall-server kiosk add NAME --site SITE)",
                code="hall_token_missing",
            )
        if self.urls:
            object.__setattr__(self, "url", self.urls[0])
        for url in self.addresses:
            if url.startswith("http://") and not self.allow_insecure and not is_loopback_url(url):
                raise ConfigError(
                    "hall.urls" if self.urls else "hall.url", f"plain http:// to a hall on another machine "
                    f"({url}): use https:// (and hall.ca_file for a private CA), or set "
                    "hall.allow_insecure = true on a trusted network",
                    code="hall_insecure_url",
                )
        if self.ca_file and not Path(self.ca_file).expanduser().is_file():
            raise ConfigError("hall.ca_file", f"no such file: {self.ca_file}", code="hall_ca_file_missing")

    @property
    def addresses(self) -> tuple[str, ...]:
        """The hall's addresses, in the order they are tried."""
        return self.urls or (self.url,)


@dataclass(frozen=True)
class ScreenConfig:
    width: int = 1920
    height: int = 1080
    orientation: str = "landscape"
    fullscreen: bool = True
    show_cursor: bool = False
    # Exactly one touch input path: "mouse" (desktop, Xvfb) or a provider line such as
    # "mtdev,/dev/input/event3" or "hidinput,/dev/input/event3".
    touch_input: str = "mouse"


@dataclass(frozen=True)
class TimeoutConfig:
    idle_s: float = 60.0
    warning_s: float = 20.0
    heartbeat_s: float = 30.0
    # After a failed heartbeat the hall is tried again this often, so the kiosk notices its return.
    retry_s: float = 5.0
    # A device that could not be opened is tried again this often.
    device_retry_s: float = 2.0


@dataclass(frozen=True)
class HandwritingConfig:
    # Without libzinnia or the model the name keyboard simply has no handwriting mode.
    enabled: bool = True
    # Empty: wherever the system's loader finds libzinnia, else Debian's libzinnia.so.0.
    library: str = ""
    model: str = HANDWRITING_MODEL
    # A small model trained at first use for name characters outside GB2312 (喆, 镕, …).
    name_supplement: bool = True


@dataclass(frozen=True)
class A4PrinterConfig:
    """``[printers.a4]``: the CUPS queue certificates print on (absent or disabled: no A4)."""

    queue: str = "kiosk-a4"
    # HOST[:PORT] or the scheduler's socket path (/run/cups/cups.sock).
    server: str = "localhost:631"
    enabled: bool = True
    # A job not completed by then is cancelled, so it cannot come out for the next citizen.
    job_timeout_s: float = 60.0


@dataclass(frozen=True)
class VoiceConfig:
    """``[voice]``: the engine that reads screens aloud when the citizen turns voice guidance on."""

    engine: str = "espeak-ng"
    # A name on PATH or a file; a kiosk without it runs on, its switch saying voice is unavailable.
    espeak_path: str = "espeak-ng"

    def __post_init__(self) -> None:
        if self.engine not in VOICE_ENGINES:
            raise ConfigError("voice.engine", f"must be one of {', '.join(VOICE_ENGINES)}")
        if self.engine == "espeak-ng" and not self.espeak_path.strip():
            raise ConfigError("voice.espeak_path", "must name the espeak-ng program")


@dataclass(frozen=True)
class PrintersConfig:
    a4: A4PrinterConfig | None = None


@dataclass(frozen=True)
class KioskConfig:
    hall: HallConfig = field(default_factory=HallConfig)
    screen: ScreenConfig = field(default_factory=ScreenConfig)
    timeouts: TimeoutConfig = field(default_factory=TimeoutConfig)
    devices: DevicesConfig = field(default_factory=DevicesConfig)
    handwriting: HandwritingConfig = field(default_factory=HandwritingConfig)
    printers: PrintersConfig = field(default_factory=PrintersConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    language: str = "zh_Hans"
    # Required: a PIN every kiosk shares from a default would open every kiosk's maintenance screen.
    technician_pin: str = ""
    # Shown on the attract screen; replaced by what the hall reports when it is reachable.
    hall_name: str = ""
    # English msgids, translated on screen; an operator may write their own text instead.
    hours: str = N_("Mon-Fri 9:00-12:00, 13:00-17:00; Wednesday until 21:00; Saturday 9:00-12:00")
    self_service_hours: str = N_("Open 24 hours, every day")
    # A line shown small on the attract screen (the demo says when its clock was moved).
    notice: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.technician_pin, str) or not self.technician_pin.strip():
            raise ConfigError(
                "technician_pin", "missing: give this kiosk a maintenance PIN of 4 to 12 digits",
                code="technician_pin_missing",
            )


_POSITIVE_NUMBERS = {
    "hall.timeout_s",
    "timeouts.idle_s",
    "timeouts.warning_s",
    "timeouts.heartbeat_s",
    "timeouts.retry_s",
    "timeouts.device_retry_s",
    "printers.a4.job_timeout_s",
}


def _section(data: dict[str, Any], key: str, prefix: str = "") -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(prefix + key, "must be a table")
    return value


def _build(cls: type[Any], data: dict[str, Any], prefix: str) -> Any:
    """Build a dataclass from a TOML table, checking names and types against its defaults."""
    return cls(**_values(cls, data, prefix))


def _values(cls: type[Any], data: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The settings of a TOML table, checked against the dataclass's field names and defaults
    (read from the fields: a class with a required setting cannot be built empty)."""
    defaults = {f.name: f.default for f in fields(cls) if f.default is not MISSING}
    values: dict[str, Any] = {}
    for key, value in data.items():
        full = prefix + key
        if key not in defaults:
            raise ConfigError(full, "unknown setting")
        default = defaults[key]
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise ConfigError(full, "must be true or false")
        elif isinstance(default, int) and not isinstance(default, bool):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(full, "must be an integer")
        elif isinstance(default, float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(full, "must be a number")
            value = float(value)
            if full in _POSITIVE_NUMBERS and value <= 0:
                raise ConfigError(full, "must be positive")
        elif (isinstance(default, str) or default is None) and not isinstance(value, str):
            raise ConfigError(full, "must be a string")
        values[key] = value
    return values


def _printers(data: dict[str, Any]) -> PrintersConfig:
    table = _section(data, "printers")
    for key in table:
        if key != "a4":
            raise ConfigError(f"printers.{key}", "unknown printer (a4)")
    a4: A4PrinterConfig = _build(A4PrinterConfig, _section(table, "a4", "printers."), "printers.a4.")
    if not a4.queue.strip():
        raise ConfigError("printers.a4.queue", "must name a CUPS queue")
    try:
        parse_server(a4.server)
    except ValueError as exc:
        raise ConfigError("printers.a4.server", str(exc)) from exc
    return PrintersConfig(a4 if "a4" in table and a4.enabled else None)


def _hall_urls(hall: dict[str, Any]) -> tuple[str, ...]:
    """``hall.urls`` taken out of the table and checked: distinct http(s) URLs, and no ``hall.url``."""
    if "urls" not in hall:
        return ()
    urls = hall.pop("urls")

    def refuse(message: str) -> ConfigError:
        return ConfigError("hall.urls", message, code="hall_urls_invalid")

    if "url" in hall:
        raise refuse("give hall.url (one address) or hall.urls (several), not both")
    if not isinstance(urls, list) or not urls:
        raise refuse('must be a list of one or more URLs, e.g. ["https://a.example", "https://b.example"]')
    for n, url in enumerate(urls, 1):
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise refuse(f"address {n} must be a string starting with http:// or https://")
        if not urlsplit(url).hostname:
            raise refuse(f"address {n} names no host: {url}")
    cleaned = tuple(url.rstrip("/") for url in urls)
    if len(set(cleaned)) != len(cleaned):
        raise refuse("the same address is listed twice")
    return cleaned


def parse_config(data: dict[str, Any]) -> KioskConfig:
    """A KioskConfig from parsed TOML; raises ConfigError naming the first bad key."""
    top_known = {"hall", "screen", "timeouts", "devices", "handwriting", "printers", "voice",
                 *KioskConfig.__dataclass_fields__}
    for key in data:
        if key not in top_known:
            raise ConfigError(key, "unknown setting")
    hall_table = dict(_section(data, "hall"))
    urls = _hall_urls(hall_table)
    hall_values = _values(HallConfig, hall_table, "hall.")
    if not hall_values.get("url", HallConfig.url).startswith(("http://", "https://")):
        raise ConfigError("hall.url", "must start with http:// or https://")
    if urls:
        hall_values["urls"] = urls
    screen: ScreenConfig = _build(ScreenConfig, _section(data, "screen"), "screen.")
    if screen.width < 320 or screen.height < 240:
        raise ConfigError("screen.width", "screen must be at least 320x240")
    if screen.orientation not in ("landscape", "portrait"):
        raise ConfigError("screen.orientation", "must be landscape or portrait")
    if not screen.touch_input:
        raise ConfigError("screen.touch_input", "must name one input provider")
    timeouts: TimeoutConfig = _build(TimeoutConfig, _section(data, "timeouts"), "timeouts.")
    devices_table = _section(data, "devices")
    for key in devices_table:
        if key not in ("printer", "id_card", "scanner"):
            raise ConfigError(f"devices.{key}", "unknown device (printer, id_card or scanner)")
    try:
        devices = parse_devices(data)
    except DeviceConfigError as exc:
        key = getattr(exc, "key", "devices")
        message = str(exc).removeprefix(f"{key}: ")
        raise ConfigError(key, message) from exc
    handwriting: HandwritingConfig = _build(HandwritingConfig, _section(data, "handwriting"), "handwriting.")
    printers = _printers(data)
    voice: VoiceConfig = _build(VoiceConfig, _section(data, "voice"), "voice.")
    tables = ("hall", "screen", "timeouts", "devices", "handwriting", "printers", "voice")
    rest = {k: v for k, v in data.items() if k not in tables}
    top = _values(KioskConfig, rest, "")
    language = top.get("language", KioskConfig.language)
    if language not in LANGUAGES:
        raise ConfigError("language", f"must be one of {', '.join(LANGUAGES)}")
    pin = top.get("technician_pin", "")
    # A missing PIN is asked for after the token (KioskConfig refuses it), a malformed one here.
    if pin and not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise ConfigError("technician_pin", "must be 4 to 12 digits")
    # The token is asked for last, so an operator fixing a file meets the other faults first.
    hall: HallConfig = _build(HallConfig, hall_values, "hall.")
    return KioskConfig(hall=hall, screen=screen, timeouts=timeouts, devices=devices,
                       handwriting=handwriting, printers=printers, voice=voice, **top)


def load_config(path: str | Path) -> KioskConfig:
    """Read and validate a TOML file; every problem is a ConfigError naming the key."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError("", f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError("", f"{path} is not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"{path} is not valid TOML: {exc}") from exc
    return parse_config(data)
