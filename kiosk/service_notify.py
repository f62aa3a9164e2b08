"""The kiosk's word to its service manager (sd_notify): READY=1 once the first screen is drawn, then
WATCHDOG=1 from the event loop for as long as the loop runs; nothing at all when $NOTIFY_SOCKET is unset."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping
from typing import Any

from kiosk.compositor_probe import CompositorProbe

log = logging.getLogger(__name__)


class ServiceNotifier:
    """Datagrams to ``$NOTIFY_SOCKET`` (a path, or ``@name`` in the abstract namespace), the protocol of
    sd_notify(3) spoken directly: one socket call, no library."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        raw = env.get("NOTIFY_SOCKET", "")
        self.address = "\0" + raw[1:] if raw.startswith("@") else raw
        # WATCHDOG_PID is not checked: under cage or xinit the service's main process is the compositor,
        # whose environment the kiosk inherits, and the unit names the kiosk as the feeder (NotifyAccess).
        self.watchdog_s = _seconds(env.get("WATCHDOG_USEC", ""))
        self._socket: socket.socket | None = None
        self._warned = False

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def send(self, state: str) -> bool:
        """Send one state (``READY=1``, ``WATCHDOG=1``, ``STOPPING=1``...); False when not sent. Never raises:
        a service manager that went away must not take the kiosk with it."""
        if not self.address:
            return False
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._socket.sendto(state.encode(), self.address)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                log.warning("service manager not told %s: %s", state.split("=", 1)[0], exc)
            return False
        return True

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _seconds(usec: str) -> float | None:
    try:
        value = int(usec)
    except ValueError:
        return None
    return value / 1_000_000 if value > 0 else None


class LoopWatchdog:
    """READY=1 at the first frame that shows the first screen; then WATCHDOG=1 at half the watchdog period
    from the Kivy clock, which the asyncio loop drives: a loop stuck in one callback feeds nothing, so the
    service manager restarts the kiosk. Nor is it fed while the Wayland compositor the kiosk is shown by
    does not answer (``CompositorProbe``): a hung cage freezes the screen with the loop still running."""

    def __init__(self, notifier: ServiceNotifier, first_screen_shown: Callable[[], bool],
                 compositor: CompositorProbe | None = None) -> None:
        self.notifier = notifier
        self.compositor = compositor if compositor is not None else CompositorProbe()
        self._first_screen_shown = first_screen_shown
        self._feeding: Any = None
        self._starving = False
        self.ready = False

    def start(self) -> None:
        if not self.notifier.enabled:
            return
        from kivy.core.window import Window

        Window.bind(on_flip=self._flipped)

    def _flipped(self, *_args: object) -> None:
        if self.ready or not self._first_screen_shown():
            return
        from kivy.clock import Clock
        from kivy.core.window import Window

        Window.unbind(on_flip=self._flipped)
        self.ready = True
        self.notifier.send("READY=1")
        if self.notifier.watchdog_s is not None:
            self.feed()
            self._feeding = Clock.schedule_interval(self.feed, self.notifier.watchdog_s / 2)

    def feed(self, _dt: float = 0.0) -> None:
        if not self.compositor.answering():
            if not self._starving:
                self._starving = True
                reason = self.compositor.closed_reason or (
                    f"no answer for {self.compositor.silent_for():.0f} s")
                log.error("the screen's compositor does not answer (%s): the watchdog is not fed", reason)
            return
        if self._starving:
            self._starving = False
            log.warning("the screen's compositor answers again: the watchdog is fed")
        self.notifier.send("WATCHDOG=1")

    def stop(self) -> None:
        if self._feeding is not None:
            self._feeding.cancel()
            self._feeding = None
        if self.ready:
            self.notifier.send("STOPPING=1")
        elif self.notifier.enabled:
            from kivy.core.window import Window

            Window.unbind(on_flip=self._flipped)
        self.notifier.close()
        self.compositor.close()
