"""The kiosk process: its first frame comes before the hall's contract is loaded, and a cancelled
app task ends (the outermost guard swallows failures, never a cancellation)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.ui

ROOT = Path(__file__).resolve().parents[3]

# Its own process: the session's kiosk must not be cancelled, its modules are loaded already, and a
# hang must not hang the suite.
SCRIPT = textwrap.dedent("""
    import asyncio
    import sys

    from kiosk.app import KioskApp
    from kiosk.config import HallConfig, KioskConfig
    from kiosk.kivy_setup import configure_kivy


    async def main() -> None:
        # No hall answers there: the attract screen shows all the same.
        config = KioskConfig(hall=HallConfig(url="http://127.0.0.1:9", token="t"), technician_pin="2468")
        configure_kivy(config)
        from kivy.core.window import Window

        app = KioskApp(config)

        def flipped(*_args: object) -> None:
            if app.current_screen == "attract":
                Window.unbind(on_flip=flipped)
                print("first frame, contract loaded:", "hall_contract" in sys.modules, flush=True)

        Window.bind(on_flip=flipped)
        runner = asyncio.ensure_future(app.async_run(async_lib="asyncio"))
        while app.current_screen != "attract":
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
        print("contract loaded since:", "hall_contract" in sys.modules, flush=True)
        runner.cancel()
        try:
            await runner
        except asyncio.CancelledError:
            print("cancelled", flush=True)
        await app.aclose()


    asyncio.run(main())
""")


@pytest.fixture(scope="module")
def kiosk_run(display: str) -> Iterator[list[str]]:
    env = {**os.environ, "DISPLAY": display, "KIVY_NO_ARGS": "1", "KIVY_LOG_MODE": "PYTHON",
           "SDL_NO_SIGNAL_HANDLERS": "1"}
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        out += "\n(killed: still running after 60 s)"
    yield [*out.splitlines(), f"exit {proc.returncode}"]


def test_the_attract_screen_is_drawn_before_the_hall_contract_loads(kiosk_run):
    # Loading the contract's models (pydantic) takes a tenth of a second of CPU: it belongs after
    # the first frame, with the first ask to the hall, which it still serves.
    assert "first frame, contract loaded: False" in kiosk_run, "\n".join(kiosk_run[-40:])
    assert "contract loaded since: True" in kiosk_run, "\n".join(kiosk_run[-40:])


def test_cancelling_the_running_app_task_ends_it(kiosk_run):
    assert "cancelled" in kiosk_run and kiosk_run[-1] == "exit 0", "\n".join(kiosk_run[-40:])
