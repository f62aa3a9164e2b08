"""``kiosk-devsim``: run device simulators on ptys or TCP, and drive them through the control channel.

Bad arguments print one line and exit 2; SIGINT and SIGTERM shut the simulators down cleanly.
"""

from __future__ import annotations

import argparse
import importlib
import json
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn
from urllib.parse import urlsplit

from terminal_drivers.sim.control import (
    LOOPBACK_HOSTS,
    ControlChannelError,
    ControlServer,
    parse_control_url,
    send_control,
)
from terminal_drivers.sim.engine import DeviceEngine, SimControlError
from terminal_drivers.sim.runner import DeviceServer

DEVICE_NAMES = {"printer": "printer", "id-card": "id_card", "scanner": "scanner"}


class UsageError(Exception):
    """A bad command line: one line on stderr, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


# -- engines, imported by name so the CLI runs before every simulator exists -------------------


def _engine(device: str, options: argparse.Namespace) -> DeviceEngine:
    try:
        if device == "printer":
            printer = importlib.import_module("terminal_drivers.sim.printer")
            engine: DeviceEngine = printer.PrinterEngine(out_dir=options.out)
        elif device == "id_card":
            id_card = importlib.import_module("terminal_drivers.sim.id_card")
            engine = id_card.IdCardEngine(read_delay_s=options.read_delay)
        else:
            scanner = importlib.import_module("terminal_drivers.sim.scanner")
            engine = scanner.ScannerEngine()
    except (ImportError, AttributeError) as exc:
        raise UsageError(f"the {device} simulator is not available: {exc}") from exc
    except (ValueError, OSError) as exc:
        raise UsageError(f"cannot start the {device} simulator: {exc}") from exc
    return engine


def _card_names() -> list[str]:
    try:
        cards = importlib.import_module("terminal_drivers.sim.test_cards")
    except ImportError as exc:
        raise UsageError(f"the ID card simulator is not available: {exc}") from exc
    return sorted(cards.CARDS)


# -- argument parsing ------------------------------------------------------------------------------


def _parser() -> _Parser:
    parser = _Parser(prog="kiosk-devsim", description="Simulated kiosk peripherals for tests and demos.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in DEVICE_NAMES:
        one = sub.add_parser(name, help=f"run the {name} simulator")
        where = one.add_mutually_exclusive_group()
        where.add_argument("--listen", metavar="tcp://127.0.0.1:PORT", help="serve on a loopback TCP port")
        where.add_argument("--pty", action="store_true", help="serve on a pseudo-terminal (the default)")
        one.add_argument("--link", metavar="PATH", help="with --pty: a symlink that follows re-plugs")
        one.add_argument("--baud", type=int, default=None, help="the pty's line speed (default per device)")
        one.add_argument("--control", metavar="tcp://127.0.0.1:PORT", help="open the control channel")
        one.add_argument("--seed", type=int, default=0, help="seed of the wire faults' randomness")
        if name == "printer":
            one.add_argument("--out", metavar="DIR", help="write each cut ticket as NNNN.txt and NNNN.png")
        if name == "id-card":
            one.add_argument("--card", metavar="NAME", help="start with this test card placed")
            one.add_argument("--list-cards", action="store_true", help="name the test cards and exit")
            one.add_argument("--read-delay", type=float, default=1.0, help="seconds a card read takes")
    every = sub.add_parser("all", help="run all three simulators on ptys with stable links in DIR")
    every.add_argument("--dir", required=True, metavar="DIR")
    every.add_argument("--out", metavar="DIR", help="printer tickets go here")
    every.add_argument("--control", metavar="tcp://127.0.0.1:PORT")
    every.add_argument("--card", metavar="NAME", help="start with this test card placed")
    every.add_argument("--read-delay", type=float, default=1.0)
    every.add_argument("--seed", type=int, default=0)
    ctl = sub.add_parser("ctl", help="send one command to running simulators and print the answer")
    ctl.add_argument("--control", required=True, metavar="URL")
    ctl.add_argument("--device", choices=sorted(DEVICE_NAMES.values()))
    ctl.add_argument("verb", metavar="COMMAND")
    ctl.add_argument("pairs", nargs="*", metavar="key=value | key:=json")
    return parser


def parse_pairs(pairs: Sequence[str]) -> dict[str, Any]:
    """``key=text`` gives a string, ``key:=json`` a JSON value (``since:=3``, ``on:=true``)."""
    args: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise UsageError(f"arguments look like key=value, not {pair!r}")
        if key.endswith(":"):
            key = key[:-1]
            try:
                args[key] = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise UsageError(f"{key}:= needs a JSON value, not {raw!r}") from exc
        else:
            args[key] = raw
        if not key:
            raise UsageError(f"empty key in {pair!r}")
    return args


def _listen_address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "tcp" or parts.hostname not in LOOPBACK_HOSTS:
        raise UsageError(f"--listen must be tcp://127.0.0.1:PORT, not {url!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise UsageError(f"bad port in {url!r}") from exc
    return parts.hostname or "127.0.0.1", port or 0


def _control_address(url: str) -> tuple[str, int]:
    try:
        return parse_control_url(url)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


# -- running -----------------------------------------------------------------------------------------


def _stop_on_signal() -> threading.Event:
    """The event SIGINT or SIGTERM sets, its handlers installed now: before the simulator says it is
    ready, or a supervisor's SIGTERM right after would kill it without closing (its link left behind)."""
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    return stop


def _say(line: str) -> None:
    print(line, flush=True)


def _run(
    servers: dict[str, DeviceServer], control_url: str | None, announce: Callable[[str | None], None]
) -> int:
    control: ControlServer | None = None
    stop = _stop_on_signal()
    try:
        if control_url is not None:
            host, port = _control_address(control_url)
            try:
                control = ControlServer(servers, host, port)
            except OSError as exc:
                raise UsageError(f"cannot listen on {control_url}: {exc.strerror or exc}") from exc
            control.start()
        announce(control.url if control else None)
        while not stop.wait(0.5):
            pass
    finally:
        if control is not None:
            control.close()
        for server in servers.values():
            server.close()
    return 0


def _run_one(options: argparse.Namespace) -> int:
    device = DEVICE_NAMES[options.command]
    if device == "id_card" and options.list_cards:
        for name in _card_names():
            _say(name)
        return 0
    if options.link and options.listen:
        raise UsageError("--link goes with --pty, not --listen")
    if options.baud is not None and options.baud <= 0:
        raise UsageError("--baud must be a positive number")
    if device == "id_card" and options.read_delay < 0:
        raise UsageError("--read-delay must not be negative")
    if device == "id_card" and options.card and options.card not in _card_names():
        raise UsageError(f"no test card {options.card!r}; see --list-cards")
    listen = _listen_address(options.listen) if options.listen else None
    if options.control:
        _control_address(options.control)
    baud = options.baud or (9600 if device == "scanner" else 115200)
    server = DeviceServer(_engine(device, options), seed=options.seed, baudrate=baud)
    try:
        address = server.start_tcp(*listen) if listen else server.start_pty(link=options.link)
        if device == "id_card" and options.card:
            server.control("place_card", {"name": options.card})
    except (OSError, SimControlError) as exc:
        server.close()
        raise UsageError(f"cannot start the {device} simulator: {exc}") from exc

    def announce(control_url: str | None) -> None:
        _say(address)
        if control_url:
            _say(f"control {control_url}")

    return _run({device: server}, options.control, announce)


def _run_all(options: argparse.Namespace) -> int:
    if options.read_delay < 0:
        raise UsageError("--read-delay must not be negative")
    if options.card and options.card not in _card_names():
        raise UsageError(f"no test card {options.card!r}; see --list-cards")
    if options.control:
        _control_address(options.control)
    folder = Path(options.dir)
    servers: dict[str, DeviceServer] = {}
    paths: dict[str, str] = {}
    try:
        for device in DEVICE_NAMES.values():
            servers[device] = DeviceServer(
                _engine(device, options), seed=options.seed, baudrate=9600 if device == "scanner" else 115200
            )
            paths[device] = servers[device].start_pty(link=str(folder / device))
        if options.card:
            servers["id_card"].control("place_card", {"name": options.card})
    except (OSError, SimControlError, UsageError) as exc:
        for server in servers.values():
            server.close()
        if isinstance(exc, UsageError):
            raise
        raise UsageError(f"cannot start the simulators in {folder}: {exc}") from exc

    def announce(control_url: str | None) -> None:
        _say(json.dumps({**paths, "control": control_url}))

    return _run(servers, options.control, announce)


def _run_ctl(options: argparse.Namespace) -> int:
    _control_address(options.control)
    args = parse_pairs(options.pairs)
    try:
        answer = send_control(options.control, options.verb, args, device=options.device)
    except ControlChannelError as exc:
        _say(json.dumps({"error": {"code": exc.code, "message": str(exc)}}, ensure_ascii=False))
        return 1
    _say(json.dumps(answer, ensure_ascii=False))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        options = _parser().parse_args(argv)
        if options.command == "ctl":
            return _run_ctl(options)
        if options.command == "all":
            return _run_all(options)
        return _run_one(options)
    except UsageError as exc:
        print(f"kiosk-devsim: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
