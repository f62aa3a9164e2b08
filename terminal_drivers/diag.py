"""``kiosk-diag``: a technician's checks of the kiosk's peripherals from a shell.

Exit codes: 0 done; 1 the device answered but the check failed (no card, paper out, no scan);
2 bad arguments, or a port that is missing or busy. Personal data is masked unless ``--unmasked``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NoReturn

from citizen_id.masking import mask_id_number, mask_name, mask_payload
from terminal_drivers.errors import DeviceBusy, DeviceError, DeviceNotFound
from terminal_drivers.id_card.models import IdCard
from terminal_drivers.port import AsyncPort

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEVICES = ("printer", "id_card", "scanner")
# What answers a probe: a printer's DLE EOT 1 reply has the fixed pattern 0xx1xx10; a SAM reader
# answers its status command with a frame starting with the GA/T 467 preamble.
_DLE_EOT_1 = b"\x10\x04\x01"
_STATUS_MASK, _STATUS_VALUE = 0x93, 0x12
_SAM_STATUS = b"\xaa\xaa\xaa\x96\x69\x00\x03\x11\xff\xed"
_SAM_PREAMBLE = b"\xaa\xaa\xaa\x96\x69"


class UsageError(Exception):
    """Bad arguments or an unusable port: one line on stderr, exit 2."""


class CheckFailed(Exception):
    """The device answered but the check did not pass: one line, exit 1."""

    def __init__(self, code: str, message: str, detail: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.detail = detail or {}


@dataclass(frozen=True)
class Outcome:
    """What a command found: JSON for ``--json``, lines for people."""

    data: dict[str, Any]
    lines: list[str]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


# -- probing --------------------------------------------------------------------------------------


async def probe(url: str, baudrate: int = 115200, reply_within: float = 0.5) -> str:
    """``printer``, ``id_card`` or ``unknown``: what answers on ``url`` (a scanner answers nothing)."""
    async with AsyncPort(url, baudrate, timeout=reply_within) as port:
        port.reset_input()
        await port.write(_DLE_EOT_1)
        reply = await port.read(1, reply_within)
        if len(reply) == 1 and reply[0] & _STATUS_MASK == _STATUS_VALUE:
            return "printer"
        port.reset_input()
        await port.write(_SAM_STATUS)
        try:
            head = await port.read_until(_SAM_PREAMBLE, reply_within)
        except DeviceError:
            return "unknown"
        return "id_card" if head.endswith(_SAM_PREAMBLE) else "unknown"


async def _check_port(url: str, baudrate: int) -> None:
    """Fail fast with exit 2 when the port is missing or held by another program."""
    try:
        async with AsyncPort(url, baudrate):
            pass
    except (DeviceNotFound, DeviceBusy) as exc:
        raise UsageError(f"{exc.code}: {exc}") from exc


# -- commands ---------------------------------------------------------------------------------


def _ports(options: argparse.Namespace) -> Outcome:
    from serial.tools import list_ports

    found = [
        {"device": p.device, "description": p.description, "hwid": p.hwid}
        for p in sorted(list_ports.comports(), key=lambda p: p.device)
    ]
    lines = [f"{p['device']}\t{p['description']}\t{p['hwid']}" for p in found] or ["no serial ports found"]
    return Outcome({"ports": found}, lines)


async def _probe(options: argparse.Namespace) -> Outcome:
    await _check_port(options.port, options.baud)
    kind = await probe(options.port, options.baud)
    return Outcome({"port": options.port, "baud": options.baud, "device": kind}, [f"{options.port}: {kind}"])


async def _status(options: argparse.Namespace) -> Outcome:
    await _check_port(options.port, options.baud)
    kind = options.device or await probe(options.port, options.baud)
    if kind == "printer":
        from terminal_drivers.printer.printer import Printer

        async with Printer(options.port, options.baud) as printer:
            info = await printer.diag()
    elif kind == "id_card":
        from terminal_drivers.id_card.reader import IdCardReader

        async with IdCardReader(options.port, options.baud) as reader:
            info = {"device": "id_card", **await reader.diag()}
    elif kind == "scanner":
        from terminal_drivers.scanner.scanner import Scanner

        async with Scanner(options.port, options.baud) as scanner:
            info = {"device": "scanner", **await scanner.diag()}
    else:
        raise CheckFailed(
            "device_unknown",
            f"nothing on {options.port} answers as a printer or an ID reader at {options.baud} baud "
            "(a scanner never answers: use --device scanner)",
        )
    return Outcome(info, _flatten(info))


async def _test_print(options: argparse.Namespace) -> Outcome:
    from terminal_drivers.printer.printer import Printer
    from terminal_drivers.printer.testpage import test_page

    await _check_port(options.port, options.baud)
    width, encoding = options.paper_width, options.encoding
    async with Printer(options.port, options.baud, paper_width_dots=width, encoding=encoding) as printer:
        job = test_page(printer.paper)
        try:
            after = await printer.print_job(job)
        except DeviceError as exc:
            raise CheckFailed(exc.code, f"test page not printed: {exc}") from exc
    data = {"printed": True, "bytes": len(job), "status": after.as_json()}
    return Outcome(data, [f"test page printed ({len(job)} bytes); paper {after.paper}"])


async def _read_card(options: argparse.Namespace) -> Outcome:
    from terminal_drivers.id_card.reader import IdCardReader

    await _check_port(options.port, options.baud)
    async with IdCardReader(options.port, options.baud) as reader:
        try:
            card = await reader.read_once(timeout=options.timeout)
        except DeviceError as exc:
            raise CheckFailed(exc.code, f"card not read: {exc}") from exc
        health = reader.health
    if card is None:
        message = "no card on the reader (or it was read already: lift it and place it again)"
        raise CheckFailed("no_card", message, {"health": health.as_json()})
    fields = card_fields(card, unmasked=options.unmasked)
    return Outcome({"card": fields}, [f"{key}: {value}" for key, value in fields.items()])


async def _scan(options: argparse.Namespace) -> Outcome:
    from terminal_drivers.scanner.scanner import Scanner

    await _check_port(options.port, options.baud)
    async with Scanner(options.port, options.baud) as scanner:
        try:
            payload = await scanner.read_scan(options.timeout)
        except DeviceError as exc:
            raise CheckFailed(exc.code, f"no scan within {options.timeout:g} s: {exc}") from exc
    shown = payload.decode("utf-8", "replace") if options.unmasked else mask_payload(payload)
    data = {"length": len(payload), "payload": shown, "masked": not options.unmasked}
    return Outcome(data, [f"scan ({len(payload)} bytes): {shown}"])


async def _a4(options: argparse.Namespace) -> Outcome:
    from terminal_drivers.a4 import diag as a4_diag

    try:
        data, lines = await a4_diag.run(options)
    except a4_diag.A4CheckFailed as exc:
        raise CheckFailed(exc.code, str(exc), exc.detail) from exc
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    return Outcome(data, lines)


def card_fields(card: IdCard, *, unmasked: bool = False) -> dict[str, Any]:
    """The card's fields for a technician; names, numbers and the address masked by default."""

    def name(value: str) -> str:
        return value if unmasked or not value else mask_name(value)

    def number(value: str) -> str:
        return value if unmasked or not value else mask_id_number(value)

    def address(value: str) -> str:
        # Keep the province/city prefix a technician can check against the card in hand.
        return value if unmasked or len(value) <= 6 else value[:6] + "*" * (len(value) - 6)

    def day(value: date | None) -> str:
        return "长期" if value is None else value.isoformat()

    fields: dict[str, Any] = {
        "card_type": card.card_type,
        "name": name(card.name),
        "sex": card.sex,
        "birth": day(card.birth) if unmasked else f"{card.birth.year}-**-**",
        "id_number": number(card.id_number),
        "valid_from": day(card.valid_from),
        "valid_to": day(card.valid_to),
        "photo_wlt_bytes": len(card.photo_wlt),
    }
    optional = {
        "nation": card.nation,
        "address": address(card.address),
        "authority": card.authority,
        "english_name": name(card.english_name),
        "chinese_name": name(card.chinese_name),
        "nationality": card.nationality,
        "pass_number": number(card.pass_number),
        "appended_address": address(card.appended_address),
    }
    fields.update({key: value for key, value in optional.items() if value})
    return fields


def _flatten(info: dict[str, Any], prefix: str = "") -> list[str]:
    lines: list[str] = []
    for key, value in info.items():
        if isinstance(value, dict):
            lines += _flatten(value, f"{prefix}{key}.")
        else:
            lines.append(f"{prefix}{key}: {value}")
    return lines


# -- command line -------------------------------------------------------------------------------


def _parser() -> _Parser:
    parser = _Parser(prog="kiosk-diag",
                     description="Check the kiosk's printer, ID card reader, scanner and A4 printer.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the drivers do")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ports = sub.add_parser("ports", help="list serial ports")
    ports.add_argument("--json", action="store_true")

    def with_port(name: str, help_text: str, baud: int = 115200) -> _Parser:
        cmd: _Parser = sub.add_parser(name, help=help_text)
        cmd.add_argument("--port", required=True, metavar="URL", help="/dev/ttyUSB0, a pty, socket://HOST:PORT")
        cmd.add_argument("--baud", type=_baud, default=None, help=f"line speed (default {baud})")
        cmd.set_defaults(default_baud=baud)
        cmd.add_argument("--json", action="store_true", help="print one JSON object")
        return cmd

    with_port("probe", "identify what answers on a port")
    status = with_port("status", "the device's status (probes unless --device is given)")
    status.add_argument("--device", choices=DEVICES)
    test_print = with_port("test-print", "print the test page")
    test_print.add_argument("--paper-width", type=int, choices=(384, 576), default=576)
    test_print.add_argument("--encoding", choices=("gb18030", "gbk"), default="gb18030")
    read_card = with_port("read-card", "read the ID card on the reader")
    read_card.add_argument("--timeout", type=_seconds, default=3.0, help="seconds to wait for the read")
    read_card.add_argument("--unmasked", action="store_true", help="show names and numbers in full")
    scan = with_port("scan", "wait for one scan", baud=9600)
    scan.add_argument("--timeout", type=_seconds, default=30.0, help="seconds to wait for a scan")
    scan.add_argument("--unmasked", action="store_true", help="show the payload in full")
    from terminal_drivers.a4 import diag as a4_diag

    a4_diag.add_arguments(sub.add_parser("a4", help="the A4 printer's CUPS queue: status or test-print"))
    return parser


def _baud(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a baud rate: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"not a baud rate: {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("seconds must be between 0 and 3600")
    return value


_COMMANDS = {
    "probe": _probe,
    "status": _status,
    "test-print": _test_print,
    "read-card": _read_card,
    "scan": _scan,
}


def main(argv: Sequence[str] | None = None) -> int:
    as_json = False
    try:
        options = _parser().parse_args(argv)
        # Drivers log warnings (a substituted glyph, a retry) that would clutter a check's answer.
        level = logging.INFO if options.verbose else logging.ERROR
        logging.basicConfig(level=level, format="kiosk-diag: %(levelname)s %(name)s: %(message)s")
        as_json = bool(getattr(options, "json", False))
        if options.command == "ports":
            outcome = _ports(options)
        elif options.command == "a4":
            outcome = asyncio.run(_a4(options))
        else:
            if options.baud is None:
                # A scanner's factory speed is 9600, the printer's and the reader's 115200.
                scanner = getattr(options, "device", None) == "scanner"
                options.baud = 9600 if scanner else options.default_baud
            outcome = asyncio.run(_COMMANDS[options.command](options))
    except UsageError as exc:
        print(f"kiosk-diag: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CheckFailed as exc:
        if as_json:
            answer = {"error": {"code": exc.code, "message": str(exc)}, **exc.detail}
            print(json.dumps(answer, ensure_ascii=False))
        print(f"kiosk-diag: {exc.code}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except DeviceError as exc:
        # The port went away mid-check, or the device broke the protocol.
        if as_json:
            print(json.dumps({"error": {"code": exc.code, "message": str(exc)}}, ensure_ascii=False))
        print(f"kiosk-diag: {exc.code}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    if as_json:
        print(json.dumps(outcome.data, ensure_ascii=False, default=str))
    else:
        print("\n".join(outcome.lines))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
