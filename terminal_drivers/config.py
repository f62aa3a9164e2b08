"""Which peripherals a kiosk has and how to reach them: the ``[devices.*]`` tables of its TOML.

Each table (``[devices.printer]``, ``[devices.id_card]``, ``[devices.scanner]``) becomes a frozen
dataclass checked when it is built; a missing table (or ``enabled = false``) means "not fitted".
Every error is a ConfigError whose ``key`` names the setting, e.g. ``devices.printer.baud``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, ClassVar

from terminal_drivers.errors import ConfigError
from terminal_drivers.printer.escpos import SUPPORTED_ENCODINGS

BAUD_RATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)
PAPER_WIDTHS_DOTS = (384, 576)  # 58 mm and 80 mm paper at 203 dpi
SCANNER_TERMINATORS = ("auto", "cr", "lf", "crlf", "none")


class DeviceConfigError(ConfigError):
    """A bad device setting; ``key`` is its dotted name in the TOML file."""

    def __init__(self, key: str, message: str, *, code: str = "config_bad_value") -> None:
        super().__init__(f"{key}: {message}", code=code)
        self.key = key


@dataclass(frozen=True)
class _Device:
    table: ClassVar[str] = ""
    drivers: ClassVar[tuple[str, ...]] = ()

    url: str
    baud: int = 115200
    driver: str = ""

    def __post_init__(self) -> None:
        if not self.url.strip():
            raise self._bad("url", "must name a port: /dev/ttyUSB0, socket://127.0.0.1:PORT, …")
        if self.baud not in BAUD_RATES:
            raise self._bad("baud", f"{self.baud} is not a standard baud rate")
        if self.driver not in self.drivers:
            raise self._bad("driver", f"must be one of {', '.join(self.drivers)}")

    def _bad(self, name: str, message: str) -> DeviceConfigError:
        return DeviceConfigError(f"devices.{self.table}.{name}", message)


@dataclass(frozen=True)
class PrinterConfig(_Device):
    table: ClassVar[str] = "printer"
    drivers: ClassVar[tuple[str, ...]] = ("escpos",)

    driver: str = "escpos"
    paper_width_dots: int = 576
    encoding: str = "gb18030"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.paper_width_dots not in PAPER_WIDTHS_DOTS:
            raise self._bad("paper_width_dots", "must be 384 (58 mm paper) or 576 (80 mm paper)")
        if self.encoding not in SUPPORTED_ENCODINGS:
            raise self._bad("encoding", f"must be one of {', '.join(SUPPORTED_ENCODINGS)}")


@dataclass(frozen=True)
class IdCardConfig(_Device):
    table: ClassVar[str] = "id_card"
    drivers: ClassVar[tuple[str, ...]] = ("sam",)

    driver: str = "sam"
    poll_interval_s: float = 0.3

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0.05 <= self.poll_interval_s <= 10:
            raise self._bad("poll_interval_s", "must be between 0.05 and 10 seconds")


@dataclass(frozen=True)
class ScannerConfig(_Device):
    table: ClassVar[str] = "scanner"
    drivers: ClassVar[tuple[str, ...]] = ("serial_scanner",)

    baud: int = 9600
    driver: str = "serial_scanner"
    terminator: str = "auto"
    idle_gap_s: float = 0.05
    trigger: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.terminator not in SCANNER_TERMINATORS:
            raise self._bad("terminator", f"must be one of {', '.join(SCANNER_TERMINATORS)}")
        if not 0.005 <= self.idle_gap_s <= 2:
            raise self._bad("idle_gap_s", "must be between 0.005 and 2 seconds")

    @property
    def terminator_bytes(self) -> tuple[bytes, ...]:
        """What ends a scan; empty when only the idle gap does ("none")."""
        return {
            "auto": (b"\r\n", b"\r", b"\n"),
            "cr": (b"\r",),
            "lf": (b"\n",),
            "crlf": (b"\r\n",),
            "none": (),
        }[self.terminator]


@dataclass(frozen=True)
class DevicesConfig:
    """The fitted peripherals; None means the kiosk has no such device."""

    printer: PrinterConfig | None = None
    id_card: IdCardConfig | None = None
    scanner: ScannerConfig | None = None


_KINDS: dict[str, type[_Device]] = {
    "printer": PrinterConfig,
    "id_card": IdCardConfig,
    "scanner": ScannerConfig,
}


def parse_devices(data: dict[str, Any]) -> DevicesConfig:
    """The devices of a parsed kiosk TOML document (its other tables are ignored)."""
    devices = data.get("devices", {})
    if not isinstance(devices, dict):
        raise DeviceConfigError("devices", "must be a table", code="config_bad_type")
    fitted: dict[str, _Device | None] = {}
    for name, cls in _KINDS.items():
        table = devices.get(name)
        if table is None:
            fitted[name] = None
            continue
        if not isinstance(table, dict):
            raise DeviceConfigError(f"devices.{name}", "must be a table", code="config_bad_type")
        fitted[name] = _build(cls, table)
    return DevicesConfig(**fitted)  # type: ignore[arg-type]


def load_devices(path: str | Path) -> DevicesConfig:
    """Read the kiosk's TOML file and return its devices; ConfigError when it cannot."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}", code="config_unreadable") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}", code="config_bad_toml") from exc
    return parse_devices(data)


def _build(cls: type[_Device], table: dict[str, Any]) -> _Device | None:
    prefix = f"devices.{cls.table}."
    table = dict(table)
    enabled = table.pop("enabled", True)
    if not isinstance(enabled, bool):
        raise DeviceConfigError(prefix + "enabled", "must be true or false", code="config_bad_type")
    # The kiosk's own file spells the speed "baudrate"; both are accepted, not both at once.
    if "baudrate" in table:
        if "baud" in table:
            raise DeviceConfigError(prefix + "baudrate", "give baud or baudrate, not both")
        table["baud"] = table.pop("baudrate")
    known = {f.name: f for f in fields(cls)}
    for key, value in table.items():
        if key not in known:
            raise DeviceConfigError(prefix + key, "unknown setting", code="config_unknown_key")
        _check_type(prefix + key, known[key].type, value)
        if known[key].type == "float":
            table[key] = float(value)
    if not enabled:
        return None
    if "url" not in table:
        raise DeviceConfigError(prefix + "url", "is required", code="config_missing_key")
    return cls(**table)


_TYPES: dict[str, tuple[type, ...]] = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}


def _check_type(key: str, annotation: object, value: object) -> None:
    kind = str(annotation)
    expected = _TYPES[kind]
    # TOML booleans are Python ints: true must not pass for a baud rate.
    ok = isinstance(value, expected) and (kind == "bool" or not isinstance(value, bool))
    if not ok:
        names = {"str": "a string", "int": "an integer", "float": "a number", "bool": "true or false"}
        raise DeviceConfigError(key, f"must be {names[str(annotation)]}", code="config_bad_type")
