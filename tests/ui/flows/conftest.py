"""Helpers for the citizen-flow UI tests (the harness itself is tests/ui/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

LANGS = ("zh_Hans", "zh_Hant", "en")


def tap_in_list(kiosk: Any, scroll: Any, widget: Any) -> Any:
    """Scroll a list until ``widget`` is in view, then touch it."""
    scroll.scroll_to(widget, padding=20, animate=False)
    kiosk.pump(3)
    return kiosk.tap(widget)


def identify_with_card(kiosk: Any, back_to: str, card: str = "zhang_wei") -> None:
    """On the identify screen, place a test card on the reader and wait to come back."""
    kiosk.wait_for_screen("identify", timeout=15)
    kiosk.place_card(card)
    kiosk.wait_until(lambda: kiosk.app.session.identity is not None, timeout=20, what="the card read")
    kiosk.wait_for_screen(back_to, timeout=15)
    kiosk.lift_card()


def shots(kiosk: Any, name: str, rerender: Callable[[], Any] | None = None) -> None:
    """Screenshots of the current screen in the three languages and in elderly mode."""
    for lang in LANGS:
        kiosk.app.set_language(lang)
        kiosk.pump(4)
        kiosk.screenshot(f"flows_{name}_{lang}")
    kiosk.app.set_language("zh_Hans")
    kiosk.app.elderly = True
    if rerender is not None:
        rerender()
    kiosk.pump(4)
    kiosk.screenshot(f"flows_{name}_elderly")
    kiosk.app.elderly = False
    if rerender is not None:
        rerender()
    kiosk.pump(2)


@pytest.fixture
def flow_helpers() -> Any:
    class Helpers:
        tap_in_list = staticmethod(tap_in_list)
        identify_with_card = staticmethod(identify_with_card)
        shots = staticmethod(shots)

    return Helpers
