"""The kiosk's peripherals and where their events go: to the screen shown, as a sign of life."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.config import KioskConfig


class DeviceRouting:
    """Hands a placed or lifted card and a scanned code to the current screen (if any), through
    ``guarded`` so a screen's failure reaches the outermost guard; a card or a scan counts as a touch.
    A lifted card is first told to ``lifted`` (the visit forgets a citizen known from that card)."""

    def __init__(
        self,
        current: Callable[[], Any],
        touch: Callable[[], None],
        guarded: Callable[..., Any],
        lifted: Callable[[], None] | None = None,
    ) -> None:
        self._current = current
        self._touch = touch
        self._guarded = guarded
        self._lifted = lifted

    def on_card_placed(self, card: Any) -> None:
        self._touch()
        screen = self._current()
        if screen is not None:
            self._guarded(screen.on_card_placed, card)

    def on_card_removed(self) -> None:
        if self._lifted is not None:
            self._guarded(self._lifted)
        screen = self._current()
        if screen is not None:
            self._guarded(screen.on_card_removed)

    def on_scan(self, payload: bytes) -> None:
        self._touch()
        screen = self._current()
        if screen is not None:
            self._guarded(screen.on_scan, payload)


def make_devices(config: KioskConfig, routing: DeviceRouting) -> Any:
    """The configured printer, card reader, scanner and A4 printer, reporting to ``routing``."""
    from kiosk.devices import KioskDevices

    return KioskDevices(
        config.devices,
        retry_s=config.timeouts.device_retry_s,
        on_card_placed=routing.on_card_placed,
        on_card_removed=routing.on_card_removed,
        on_scan=routing.on_scan,
        a4=config.printers.a4,
    )
