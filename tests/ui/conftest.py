"""The UI harness: the real KioskApp under Xvfb, against a real hall server and device simulators.

Kivy allows one App (and one window) per process, so one kiosk runs for the whole pytest session
and every test gets it back on the attract screen with a fresh visit (fixture ``kiosk``).

    import pytest
    pytestmark = pytest.mark.ui

    def test_take_ticket(kiosk):
        kiosk.tap("Touch to start")             # a msgid (matched in the current language), a
        kiosk.wait_for_screen("home")           # text on screen, or a widget
        kiosk.tap(kiosk.find(id="tile_ticket"))
        kiosk.wait_until(lambda: kiosk.new_tickets(), timeout=15, what="a printed ticket")
        kiosk.screenshot("ticket_printed")      # artifacts/ui/ticket_printed.png

What it runs:
- ``hall-server serve --demo`` as a subprocess on SQLite in a temporary directory, its clock
  started at Wednesday 2026-11-25 10:00 +08:00 (``HALL_NOW``) so sessions and queues are open;
  ``kiosk.stop_hall()`` / ``kiosk.start_hall()`` take it away and bring it back (same database).
- the printer, ID card reader and scanner simulators (``DeviceServer`` on ptys, in-process);
  ``kiosk.printer`` is the printer engine, ``kiosk.new_tickets()`` the tickets cut during this
  test; ``kiosk.place_card("zhang_wei")``, ``kiosk.lift_card()``, ``kiosk.scan(b"...")``;
  ``kiosk.printer_control(...)``, ``kiosk.id_card_control(...)`` for faults.
- the kiosk itself, in this process, inside an asyncio loop the harness owns; the loop (and so
  the UI) only runs while a helper waits: ``wait_until``, ``pump``, ``tap``, ``run``.

Touches are real: ``tap`` dispatches a touch down and up through the Kivy window at the widget's
centre. Idle timeouts are long (600 s) unless a test sets short ones with
``kiosk.set_idle_timeouts(idle_s, warning_s)`` (restored for the next test). The heartbeat runs
every second so the kiosk notices a stopped hall quickly.

Do not import ``kivy.core.window`` at module level in a test file: the window is created by the
harness once a display exists (``DISPLAY`` from xvfb-run, or an Xvfb the harness starts; the
``display`` fixture gives it to tests that start their own windowed process).

Screens that wait on a timer can be tuned per test (e.g. the identify screen's
``auto_continue_s``: None waits for a touch); restore what you change, the app is shared.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")

HALL_NOW = "2026-11-25T10:00:00+08:00"
KIOSK_TOKEN = "demo-kiosk-token-HQ"
TECHNICIAN_PIN = "246810"
# A common kiosk panel: 1920x1080 landscape (the Xvfb screen of scripts/test).
WINDOW_SIZE = (1920, 1080)
LONG_IDLE = (600.0, 20.0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _a4_queue() -> str:
    """This process's cups-pdf queue (``TEST_A4_QUEUE``, tests/conftest.py). ``kiosk-a4`` is started by the
    test command's caller (``.ci/run``, a person); a pytest-xdist worker's own queue is added here."""
    queue = os.environ.get("TEST_A4_QUEUE", "kiosk-a4")
    if queue != "kiosk-a4" and shutil.which("cupsd") is not None:
        start_cups = Path(__file__).resolve().parents[2] / "scripts" / "start-cups.sh"
        subprocess.run(["bash", str(start_cups), queue], capture_output=True, timeout=60, check=False)
    return queue


class HallProcess:
    """``hall-server serve --demo`` as a subprocess; stop and start again on the same database."""

    def __init__(self, data_dir: Path, now: str = HALL_NOW) -> None:
        self.data_dir = data_dir
        self.db_url = f"sqlite:///{data_dir / 'hall.db'}"
        self.now = now
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[str] | None = None
        self.output: list[str] = []

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 60.0) -> None:
        if self.running:
            return
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hall_server", "serve", "--demo", "--no-demo-history", "--db", self.db_url,
             "--port", str(self.port), "--now", self.now],
            cwd=self.data_dir,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        ready = threading.Event()
        proc = self.proc

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                self.output.append(line.rstrip())
                if line.startswith("listening on"):
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True, name="hall-output").start()
        if not ready.wait(timeout) or not self.running:
            tail = "\n".join(self.output[-20:])
            self.stop()
            raise RuntimeError(f"hall server did not start:\n{tail}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.proc = None


class Simulators:
    """The three device engines served on ptys from in-process DeviceServers."""

    def __init__(self, out_dir: Path) -> None:
        from terminal_drivers.sim.id_card import IdCardEngine
        from terminal_drivers.sim.printer import PrinterEngine
        from terminal_drivers.sim.runner import DeviceServer

        self.printer = PrinterEngine(out_dir=out_dir)
        # A short read time keeps tests quick; the bench and demo use the realistic second.
        self.id_card = IdCardEngine(read_delay_s=0.1)
        self.printer_server = DeviceServer(self.printer)
        self.id_card_server = DeviceServer(self.id_card)
        self.scanner: Any = None
        self.scanner_server: Any = None
        self.printer_url = self.printer_server.start_pty()
        self.id_card_url = self.id_card_server.start_pty()
        self.scanner_url: str | None = None
        try:
            from terminal_drivers.sim.scanner import ScannerEngine
        except ImportError:
            return
        self.scanner = ScannerEngine()
        self.scanner_server = DeviceServer(self.scanner, baudrate=9600)
        self.scanner_url = self.scanner_server.start_pty()

    def close(self) -> None:
        for server in (self.printer_server, self.id_card_server, self.scanner_server):
            if server is not None:
                server.close()


class KioskHarness:
    """Drives the one KioskApp of this test session (see the module docstring)."""

    def __init__(self, artifacts_dir: Path, work_dir: Path) -> None:
        self.artifacts = artifacts_dir / "ui"
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self.work_dir = work_dir
        self.hall = HallProcess(work_dir)
        self.sims: Simulators | None = None
        self.loop = asyncio.new_event_loop()
        self.app: Any = None
        self._app_task: asyncio.Task[Any] | None = None
        self._ticket_mark = 0

    # -- life cycle --

    def start(self) -> None:
        self.hall.start()
        self.sims = Simulators(self.work_dir / "tickets")
        from kiosk.app import KioskApp
        from kiosk.config import (
            A4PrinterConfig,
            HallConfig,
            KioskConfig,
            PrintersConfig,
            ScreenConfig,
            TimeoutConfig,
        )
        from kiosk.kivy_setup import configure_kivy
        from terminal_drivers.config import DevicesConfig, IdCardConfig, PrinterConfig, ScannerConfig

        sims = self.sims
        # The kiosk keeps small state files (the PIN lockout, the catalogue) in its cache: this run's.
        os.environ["KIOSK_CACHE_DIR"] = str(self.work_dir / "cache")
        config = KioskConfig(
            hall=HallConfig(url=self.hall.url, token=KIOSK_TOKEN, site="HQ", timeout_s=2.0),
            screen=ScreenConfig(width=WINDOW_SIZE[0], height=WINDOW_SIZE[1], fullscreen=False,
                                show_cursor=True),
            timeouts=TimeoutConfig(
                idle_s=LONG_IDLE[0], warning_s=LONG_IDLE[1], heartbeat_s=1.0, retry_s=0.5,
                device_retry_s=0.5,
            ),
            devices=DevicesConfig(
                printer=PrinterConfig(url=sims.printer_url, baud=115200),
                id_card=IdCardConfig(url=sims.id_card_url, baud=115200, poll_interval_s=0.1),
                scanner=ScannerConfig(url=sims.scanner_url, baud=9600) if sims.scanner_url else None,
            ),
            # CUPS's cups-pdf queue (scripts/start-cups.sh); without CUPS the A4 printer is offline.
            printers=PrintersConfig(a4=A4PrinterConfig(queue=_a4_queue())),
            technician_pin=TECHNICIAN_PIN,
            hall_name="示范区政务服务中心",
        )
        self.config = config
        configure_kivy(config)
        asyncio.set_event_loop(self.loop)
        self.app = KioskApp(config)
        self._app_task = self.loop.create_task(self.app.async_run(async_lib="asyncio"))
        self.wait_until(lambda: self.app.current_screen == "attract" and self.app.root is not None,
                        timeout=60, what="the kiosk to show the attract screen")
        self.wait_until(lambda: self.app.devices.printer.driver is not None, timeout=30,
                        what="the printer driver to open")

    def close(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            if self.app is not None and self._app_task is not None and not self._app_task.done():
                self.app.stop()
                with contextlib.suppress(Exception):
                    self.loop.run_until_complete(asyncio.wait_for(self._app_task, 30))
            if self.app is not None:
                with contextlib.suppress(Exception):
                    self.loop.run_until_complete(asyncio.wait_for(self.app.aclose(), 30))
            pending = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self.loop.run_until_complete(self.loop.shutdown_default_executor())
            self.loop.close()
        finally:
            if self.sims is not None:
                self.sims.close()
            self.hall.stop()

    def reset(self) -> None:
        """Back to a fresh visit on the attract screen, devices and hall in a good state."""
        # The kiosk's loop is this thread's again: an asyncio test run in between by the same process (the
        # kiosk's run goes on pytest-xdist workers, a test file each at a time) leaves it unset.
        asyncio.set_event_loop(self.loop)
        if not self.hall.running:
            self.start_hall()
        assert self.sims is not None
        self.printer_control("paper_ok")
        self.printer_control("cover_close")
        self.printer_control("clear_errors")
        self.id_card_control("clear_faults")
        self.id_card_control("lift_card")
        self.set_idle_timeouts(*LONG_IDLE)
        self.app.end_visit()
        self.wait_until(lambda: self.app.current_screen == "attract", what="attract after reset")
        self.wait_until(lambda: self.app.hall_online, timeout=30, what="the hall to be reachable")
        self._ticket_mark = len(self.sims.printer.tickets)

    # -- running the loop --

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float = 30.0) -> Any:
        """Run a coroutine on the kiosk's loop (the UI keeps running meanwhile)."""
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    def pump(self, frames: int = 2) -> None:
        """Let the UI draw ``frames`` frames (layout, property bindings, canvas)."""

        async def frames_passed() -> None:
            for _ in range(frames):
                await asyncio.sleep(1 / 60)

        self.loop.run_until_complete(frames_passed())

    def wait_until(self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
        """Run the UI until ``predicate()`` is truthy (returned); fail after ``timeout`` seconds."""

        async def poll() -> Any:
            deadline = time.monotonic() + timeout
            while True:
                value = predicate()
                if value:
                    return value
                if time.monotonic() > deadline:
                    return None
                await asyncio.sleep(0.02)

        value = self.loop.run_until_complete(poll())
        if not value:
            shot = self.screenshot("timeout_" + "".join(c if c.isalnum() else "_" for c in what)[:60])
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate} (see {shot})")
        return value

    def wait_for_screen(self, name: str, timeout: float = 10.0) -> Any:
        self.wait_until(lambda: self.app.current_screen == name, timeout, what=f"screen {name}")
        self.pump()
        return self.app.current

    # -- finding and touching --

    def _roots(self) -> list[Any]:
        from kivy.core.window import Window

        # Window.children[0] is the top-most (an open overlay), the screen manager is last.
        return list(Window.children)

    def widgets(self, root: Any = None) -> Iterator[Any]:
        """Every visible widget, top-most layers first (only the current screen is in the tree)."""
        roots = [root] if root is not None else self._roots()
        for top in roots:
            stack = [top]
            while stack:
                widget = stack.pop()
                if getattr(widget, "opacity", 1) == 0:
                    continue
                yield widget
                stack.extend(widget.children)

    def find_all(self, text: str | None = None, id: str | None = None, cls: type | str | None = None,
                 root: Any = None) -> list[Any]:
        """Visible widgets matching every criterion given: text (a msgid in the current language
        or the text shown), kv id (from any rule that names it), class (or class name)."""
        from kiosk.i18n import _

        shown = list(self.widgets(root))
        if id is not None:
            shown_keys = {builtins.id(w) for w in shown}
            # kv keeps ids as weak proxies; ``__self__`` is the widget itself.
            named = {
                builtins.id(v.__self__): v.__self__ for w in shown for key, v in w.ids.items() if key == id
            }
            shown = [named[key] for key in named if key in shown_keys]
        if text is not None:
            wanted = {text, _(text, self.app.lang)}
            shown = [w for w in shown if getattr(w, "text", None) in wanted]
        if cls is not None:
            shown = [w for w in shown
                     if (type(w).__name__ == cls if isinstance(cls, str) else isinstance(w, cls))]
        return shown

    def find(self, text: str | None = None, id: str | None = None, cls: type | str | None = None,
             root: Any = None) -> Any:
        """The one visible widget with this text (msgid or shown text), kv id, or class."""
        found = self.find_all(text=text, id=id, cls=cls, root=root)
        if not found:
            raise LookupError(f"no visible widget with text={text!r} id={id!r} cls={cls!r} "
                              f"on screen {self.app.current_screen!r}")
        return found[0]

    def texts(self) -> list[str]:
        """Every text visible now (labels, buttons, inputs)."""
        return [w.text for w in self.widgets() if isinstance(getattr(w, "text", None), str) and w.text]

    def settled(self) -> None:
        """Wait out the moment after a screen change in which the screen swallows touches."""
        screen = self.app.current
        while screen is not None and screen.settling():
            self.pump(1)

    def tap(self, target: Any, *, settle: bool = True) -> Any:
        """A real touch (down, then up a frame later) at the centre of a widget or a text; by
        default once the screen takes touches (``settle=False``: at once, as a hurried hand)."""
        from kivy.tests.common import UnitTestTouch

        widget = self.find(text=target) if isinstance(target, str) else target
        self.pump(1)
        if settle:
            self.settled()
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(1)
        touch.touch_up()
        self.pump(2)
        return widget

    def tap_at(self, x: float, y: float) -> None:
        from kivy.tests.common import UnitTestTouch

        self.settled()
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(1)
        touch.touch_up()
        self.pump(1)

    def screenshot(self, name: str) -> Path:
        """Save what the window shows now as ``artifacts/ui/<name>.png``."""
        from kivy.core.window import Window

        self.pump(2)
        target = self.artifacts / f"{name}.png"
        scratch = Window.screenshot(name=str(self.work_dir / "shot.png"))
        if scratch:
            os.replace(scratch, target)
        return target

    # -- the visit --

    def start_visit(self) -> None:
        """From attract to home by touch."""
        self.tap(self.find(id="start"))
        self.wait_for_screen("home")

    def set_idle_timeouts(self, idle_s: float, warning_s: float) -> None:
        from kiosk.idle import IdleTimeouts

        self.app.idle.base = IdleTimeouts(idle_s, warning_s)

    # -- devices --

    @property
    def printer(self) -> Any:
        assert self.sims is not None
        return self.sims.printer

    def new_tickets(self) -> list[Any]:
        """Tickets the simulated printer cut since this test began."""
        return self.printer.tickets[self._ticket_mark:]

    def printer_control(self, command: str, **args: Any) -> dict[str, Any]:
        assert self.sims is not None
        return self.sims.printer_server.control(command, args)

    def id_card_control(self, command: str, **args: Any) -> dict[str, Any]:
        assert self.sims is not None
        return self.sims.id_card_server.control(command, args)

    def place_card(self, name: str) -> None:
        self.id_card_control("place_card", name=name)

    def lift_card(self) -> None:
        self.id_card_control("lift_card")

    def scan(self, data: bytes | str) -> dict[str, Any]:
        assert self.sims is not None
        if self.sims.scanner_server is None:
            raise RuntimeError("the scanner simulator (terminal_drivers.sim.scanner) is not available")
        text = data.decode() if isinstance(data, bytes) else data
        return dict(self.sims.scanner_server.control("scan", {"data": text}))

    # -- the hall --

    def stop_hall(self) -> None:
        self.hall.stop()

    def start_hall(self) -> None:
        self.hall.start()


@pytest.fixture(scope="session")
def kiosk_session(artifacts_dir: Path, display: str) -> Iterator[KioskHarness]:
    work_dir = Path(tempfile.mkdtemp(prefix="kiosk-ui-"))
    harness = KioskHarness(artifacts_dir, work_dir)
    try:
        harness.start()
        yield harness
    finally:
        harness.close()
        shutil.rmtree(work_dir, ignore_errors=True)


@pytest.fixture
def kiosk(kiosk_session: KioskHarness) -> Iterator[KioskHarness]:
    """The session's kiosk, on the attract screen with a fresh visit."""
    kiosk_session.reset()
    yield kiosk_session
