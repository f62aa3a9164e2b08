"""A lifted card reaches the visit before the screen, so the citizen is forgotten first."""

from __future__ import annotations

from typing import Any

from kiosk.device_routing import DeviceRouting


class Screen:
    def __init__(self, said: list[str]) -> None:
        self.said = said

    def on_card_removed(self) -> None:
        self.said.append("screen")

    def on_card_placed(self, card: Any) -> None:
        self.said.append("placed")


def _guarded(fn: Any, *args: Any) -> Any:
    return fn(*args)


def test_a_lifted_card_is_told_to_the_visit_then_the_screen() -> None:
    said: list[str] = []
    routing = DeviceRouting(lambda: Screen(said), lambda: None, _guarded, lambda: said.append("visit"))
    routing.on_card_removed()
    assert said == ["visit", "screen"]
    routing.on_card_placed(object())
    assert said == ["visit", "screen", "placed"]


def test_with_no_screen_the_visit_still_forgets() -> None:
    said: list[str] = []
    routing = DeviceRouting(lambda: None, lambda: None, _guarded, lambda: said.append("visit"))
    routing.on_card_removed()
    assert said == ["visit"]
