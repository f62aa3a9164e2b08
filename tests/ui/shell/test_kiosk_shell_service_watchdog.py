"""The kiosk as a systemd ``Type=notify`` service: the real kiosk process under Xvfb tells a notify socket the
test binds READY=1 once its first screen is drawn, feeds WATCHDOG=1 while its loop runs, stops feeding
while the loop is blocked, and says STOPPING=1 on SIGTERM."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.ui

ROOT = Path(__file__).resolve().parents[3]
# The kiosk feeds at half of it. Short for the test; the unit gives 30 s, as the kiosk's start-up work
# after its first frame (the hall's contract loaded, screens built) holds the loop a second or two on a
# busy machine.
WATCHDOG_USEC = 2_000_000
PERIOD_S = WATCHDOG_USEC / 1e6


class NotifySocket:
    """What systemd binds for a service: datagrams, each kept with the instant it arrived."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.received: list[tuple[float, str]] = []

    def until(self, state: str, timeout_s: float) -> list[tuple[float, str]]:
        """Everything received until ``state`` arrives (AssertionError after ``timeout_s``)."""
        deadline = time.monotonic() + timeout_s
        while not any(s == state for _, s in self.received):
            if not self._receive(deadline):
                raise AssertionError(f"no {state} within {timeout_s} s; got {self.received}")
        return self.received

    def during(self, seconds: float) -> list[tuple[float, str]]:
        """What arrives in the next ``seconds``."""
        first = len(self.received)
        deadline = time.monotonic() + seconds
        while self._receive(deadline):
            pass
        return self.received[first:]

    def _receive(self, deadline: float) -> bool:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(4096)
        except TimeoutError:
            return False
        self.received.append((time.monotonic(), data.decode()))
        return True

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def notify(tmp_path: Path) -> Iterator[NotifySocket]:
    sock = NotifySocket(tmp_path / "notify")
    yield sock
    sock.close()


def _env(display: str, notify: NotifySocket, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "DISPLAY": display, "KIVY_NO_ARGS": "1", "KIVY_LOG_MODE": "PYTHON",
            "SDL_NO_SIGNAL_HANDLERS": "1", "NOTIFY_SOCKET": str(notify.path),
            "WATCHDOG_USEC": str(WATCHDOG_USEC), "HOME": str(tmp_path)}


def _stop(proc: subprocess.Popen[str]) -> str:
    if proc.poll() is None:
        proc.kill()
    out, _ = proc.communicate(timeout=30)
    return out


def test_the_kiosk_process_is_ready_after_its_first_frame_feeds_the_watchdog_and_says_stopping(
    display: str, notify: NotifySocket, tmp_path: Path
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('technician_pin = "2468"\n[hall]\nurl = "http://127.0.0.1:9"\ntoken = "kt-test"\n'
                      '[voice]\nengine = "off"\n')
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "--config", str(config), "--windowed"], cwd=ROOT,
                            env=_env(display, notify, tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        notify.until("READY=1", 60)
        ready_at = next(t for t, s in notify.received if s == "READY=1")
        settled = notify.during(3.0)
        running = notify.during(4.0)
        proc.send_signal(signal.SIGTERM)
        received = notify.until("STOPPING=1", 20)
        assert proc.wait(timeout=30) == 0
    finally:
        out = _stop(proc)
    states = [s for _, s in received]
    assert states[0] == "READY=1", (states, out[-2000:])
    assert ready_at > started
    # Fed from the first frame on (the first feed with READY=1), then every half period: about four in
    # 4 s once start-up has settled, never a whole period apart.
    assert states[1] == "WATCHDOG=1" and received[1][0] - ready_at < 0.1
    assert "WATCHDOG=1" in [s for _, s in settled]
    feeds = [t for t, s in running if s == "WATCHDOG=1"]
    assert len(feeds) >= 3, (states, out[-2000:])
    gaps = [b - a for a, b in itertools.pairwise(feeds)]
    assert max(gaps) < PERIOD_S, (gaps, out[-2000:])
    assert set(states) == {"READY=1", "WATCHDOG=1", "STOPPING=1"} and states[-1] == "STOPPING=1"


# The real app and notifier in a process of their own, with one UI callback that blocks the loop 4 s
# (marked on the notify socket itself, so that the test reads one ordered stream).
BLOCKING_KIOSK = textwrap.dedent("""
    import asyncio
    import time

    from kiosk.app import KioskApp
    from kiosk.config import HallConfig, KioskConfig, VoiceConfig
    from kiosk.kivy_setup import configure_kivy


    async def main() -> None:
        config = KioskConfig(hall=HallConfig(url="http://127.0.0.1:9", token="t"), technician_pin="2468",
                             voice=VoiceConfig(engine="off"))
        configure_kivy(config)
        from kivy.clock import Clock

        app = KioskApp(config, start_devices=False, start_heartbeat=False)
        runner = asyncio.ensure_future(app.async_run(async_lib="asyncio"))
        while not app.service.ready:
            await asyncio.sleep(0.05)
        await asyncio.sleep(3.0)

        def stuck(_dt: float) -> None:
            app.service.notifier.send("X_TEST=blocked")
            time.sleep(4.0)
            app.service.notifier.send("X_TEST=unblocked")

        Clock.schedule_once(stuck, 0)
        await asyncio.sleep(6.0)
        app.stop()
        await runner
        await app.aclose()


    asyncio.run(main())
""")


def test_a_blocked_loop_feeds_no_watchdog_until_it_runs_again(
    display: str, notify: NotifySocket, tmp_path: Path
) -> None:
    proc = subprocess.Popen([sys.executable, "-c", BLOCKING_KIOSK], cwd=ROOT,
                            env=_env(display, notify, tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        received = notify.until("STOPPING=1", 90)
        assert proc.wait(timeout=30) == 0
    finally:
        out = _stop(proc)
    states = [s for _, s in received]
    assert "X_TEST=blocked" in states and "X_TEST=unblocked" in states, (states, out[-2000:])
    blocked = states.index("X_TEST=blocked")
    unblocked = states.index("X_TEST=unblocked")
    assert received[unblocked][0] - received[blocked][0] >= 3.9
    # Fed before, nothing while stuck (four feeds missed: systemd would have restarted it), fed again after.
    assert states[blocked + 1:unblocked] == []
    assert states[:blocked].count("WATCHDOG=1") >= 2
    after = [t for t, s in received[unblocked:] if s == "WATCHDOG=1"]
    assert len(after) >= 2, states
