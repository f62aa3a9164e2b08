"""``kiosk-demo``: the hall server with demo data, the three simulated devices and the kiosk window.

Outside the demo hall's opening hours the hall's clock is started at its next opening, so walk-in
tickets work; the attract screen says so in a small line. Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

from kiosk.config import A4PrinterConfig, HallConfig, KioskConfig, PrintersConfig, ScreenConfig, TimeoutConfig
from terminal_drivers.config import DevicesConfig, IdCardConfig, PrinterConfig, ScannerConfig

DEMO_TOKEN = "demo-kiosk-token-HQ"
DEMO_SITE = "HQ"
DEMO_PIN = "123456"
START_TIMEOUT_S = 60.0


class DemoError(Exception):
    """A part of the demo would not start; the message says which and why."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="kiosk-demo",
        description="Run the hall server (demo data), the simulated printer, ID reader and scanner, "
        "and the kiosk against them.",
    )
    parser.add_argument("--out", default="out/tickets",
                        help="where printed tickets are written (NNNN.txt/.png)")
    parser.add_argument("--data-dir", help="hall database and device links (default: a temporary directory)")
    parser.add_argument("--port", type=int, default=0, help="hall server port (default: a free one)")
    parser.add_argument("--now", help="start the hall's clock at this ISO instant instead of choosing one")
    parser.add_argument("--lang", default="zh_Hans", choices=["zh_Hans", "zh_Hant", "en"])
    parser.add_argument("--fullscreen", action="store_true", help="full screen, cursor hidden (a real kiosk)")
    parser.add_argument("--size", default="1920x1080", help="window size WxH (default 1920x1080)")
    parser.add_argument("--card",
                        help="start with this test card on the reader (kiosk-devsim id-card --list-cards)")
    return parser.parse_args(argv)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_line(proc: subprocess.Popen[str], prefix: str, timeout: float, what: str) -> str:
    """The first line of ``proc``'s output starting with ``prefix``; DemoError after ``timeout``."""
    found: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if not found and line.startswith(prefix):
                found.append(line.strip())
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True, name=f"{what}-output").start()
    if not ready.wait(timeout) or not found:
        raise DemoError(f"{what} did not start (exit code {proc.poll()})")
    return found[0]


@contextlib.contextmanager
def running(
    args: list[str], prefix: str, what: str, cwd: Path
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=None, text=True)
    try:
        line = wait_for_line(proc, prefix, START_TIMEOUT_S, what)
        yield proc, line
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def hall_command(db_url: str, port: int, now: str | None) -> list[str]:
    command = [sys.executable, "-m", "hall_server", "serve", "--demo", "--db", db_url, "--port", str(port)]
    return [*command, "--now", now] if now else command


def next_opening(hall_url: str, now: datetime) -> datetime | None:
    """None when the demo hall serves walk-ins at ``now``; else the start of its next session."""
    headers = {"Authorization": f"Bearer {DEMO_TOKEN}"}
    start = now.date()
    response = requests.get(
        f"{hall_url}/api/v1/sites/{DEMO_SITE}/calendar",
        params={"from": start.isoformat(), "to": (start + timedelta(days=14)).isoformat()},
        headers=headers,
        timeout=10,
    )
    response.raise_for_status()
    data = response.json()
    zone = ZoneInfo(data.get("timezone", "Asia/Shanghai"))
    local_now = now.astimezone(zone)
    for day in data["days"]:
        for session in day["sessions"]:
            if session["kind"] == "self_service":
                continue
            day_date = date.fromisoformat(day["date"])
            opens = _at(day_date, session["start"], zone)
            closes = _at(day_date, session["end"], zone)
            # Leave half an hour before the end, so a walk-in ticket is still issued.
            if opens <= local_now < closes - timedelta(minutes=30):
                return None
            if opens > local_now:
                return opens
    return None


def _at(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def kiosk_config(
    hall_url: str, links: dict[str, str], options: argparse.Namespace, notice: str
) -> KioskConfig:
    width, _, height = options.size.partition("x")
    return KioskConfig(
        hall=HallConfig(url=hall_url, token=DEMO_TOKEN, site=DEMO_SITE),
        screen=ScreenConfig(width=int(width), height=int(height), fullscreen=options.fullscreen,
                            show_cursor=not options.fullscreen),
        timeouts=TimeoutConfig(),
        devices=DevicesConfig(
            printer=PrinterConfig(url=links["printer"], baud=115200),
            id_card=IdCardConfig(url=links["id_card"], baud=115200),
            scanner=ScannerConfig(url=links["scanner"], baud=9600),
        ),
        # scripts/demo starts CUPS with this cups-pdf queue; without it the kiosk shows A4 offline.
        printers=PrintersConfig(a4=A4PrinterConfig(queue="kiosk-a4")),
        language=options.lang,
        technician_pin=DEMO_PIN,
        hall_name="示范区政务服务中心",
        notice=notice,
    )


def run_demo(options: argparse.Namespace) -> int:
    own_dir = options.data_dir is None
    data_dir = Path(options.data_dir or tempfile.mkdtemp(prefix="kiosk-demo-")).absolute()
    data_dir.mkdir(parents=True, exist_ok=True)
    # The hall keeps its tokens, demo SMS file and e-ID issuer key beside its database.
    os.environ["HALL_DATA_DIR"] = str(data_dir)
    out_dir = Path(options.out).absolute()
    out_dir.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{data_dir / 'hall.db'}"
    port = options.port or free_port()
    hall_url = f"http://127.0.0.1:{port}"
    notice = ""
    now = options.now
    try:
        if now is None:
            # Ask the demo hall itself when it is open; restart it at its next opening if closed.
            with running(hall_command(db_url, port, None), "listening on", "hall server", data_dir):
                opening = next_opening(hall_url, datetime.now().astimezone())
            if opening is not None:
                now = opening.isoformat()
                notice = (f"演示：大厅现在不办公，大厅时钟从 {opening:%Y-%m-%d %H:%M} 开始 · "
                          f"Demo: the hall is closed now; its clock starts at {opening:%Y-%m-%d %H:%M}")
        elif now:
            notice = f"演示：大厅时钟从 {now} 开始 · Demo: the hall's clock starts at {now}"
        devsim = [sys.executable, "-m", "terminal_drivers.sim.cli", "all", "--dir", str(data_dir / "devices"),
                  "--out", str(out_dir), "--control", f"tcp://127.0.0.1:{free_port()}"]
        if options.card:
            devsim += ["--card", options.card]
        with running(hall_command(db_url, port, now), "listening on", "hall server", data_dir), \
                running(devsim, "{", "device simulators", data_dir) as (_proc, announced):
            links: dict[str, Any] = json.loads(announced)
            print(f"hall server: {hall_url}", flush=True)
            print(f"staff console: {hall_url}/console/ (counter1, agent1, tech1, admin; password demo1234)",
                  flush=True)
            print(f"calling screen: {hall_url}/display/HQ (a window's own: {hall_url}/display/HQ/window/1)",
                  flush=True)
            print(f"devices: {links['printer']}, {links['id_card']}, {links['scanner']}", flush=True)
            print(f"device control: kiosk-devsim ctl --control {links['control']} --device id_card "
                  "place_card name=NAME (names: kiosk-devsim id-card --list-cards)", flush=True)
            print(f"printed tickets: {out_dir}", flush=True)
            print(f"maintenance: five taps top-left, PIN {DEMO_PIN}", flush=True)
            print(f"one-time codes (demo SMS): {data_dir / 'demo-sms.log'}; e-ID: HALL_DATA_DIR={data_dir} "
                  "hall-server eid issue ID_NUMBER NAME --qr FILE.png", flush=True)
            station = data_dir / "demo-kiosk-token-ST01"
            if station.is_file():
                token = station.read_text("utf-8").strip()
                print(f"station ST01 kiosk station-01 token: {token}", flush=True)
            if notice:
                print(notice, flush=True)
            config = kiosk_config(hall_url, links, options, notice)
            return run_kiosk(config)
    except DemoError as exc:
        print(f"kiosk-demo: {exc}", file=sys.stderr)
        return 1
    except requests.RequestException as exc:
        print(f"kiosk-demo: the hall server did not answer: {type(exc).__name__}", file=sys.stderr)
        return 1
    finally:
        if own_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


def run_kiosk(config: KioskConfig) -> int:
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    # Kivy logs through the root logger we set up and leaves sys.stderr alone.
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    # SDL would turn SIGINT/SIGTERM into a window-close request, which a kiosk swallows.
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
    from kiosk.__main__ import run, setup_logging
    from kiosk.kivy_setup import configure_kivy

    setup_logging("INFO")
    configure_kivy(config)
    try:
        asyncio.run(run(config))
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    started = time.monotonic()
    try:
        return run_demo(options)
    except KeyboardInterrupt:
        return 130
    finally:
        print(f"kiosk-demo: stopped after {time.monotonic() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

