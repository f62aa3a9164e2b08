"""Helpers for the citizen-flow UI tests (the harness itself is tests/ui/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

LANGS = ("zh_Hans", "zh_Hant", "en")


def tap_in_list(kiosk: Any, scroll: Any, widget: Any) -> Any:
    """Scroll a list until ``widget`` is in view, then touch it."""
    scroll.scroll_to(widget, padding=20, animate=False)
    kiosk.pump(3)
    return kiosk.tap(widget)


def tap_service(kiosk: Any, screen: Any, code: str | None = None) -> str:
    """Touch a service in a service-search screen's list (the first one unless ``code``) once the
    hall has answered the letters typed: its order may replace the list's buttons."""
    kiosk.wait_until(lambda: screen.service_buttons and not screen.searching and not screen.busy,
                     timeout=15, what="the hall's order of the services")
    code = code or next(iter(screen.service_buttons))
    tap_in_list(kiosk, screen.service_list, screen.service_buttons[code])
    return code


def identify_with_card(kiosk: Any, back_to: str, card: str = "zhang_wei") -> None:
    """On the identify screen, place a test card on the reader and wait to come back. The card
    stays on the reader: lifting it ends the identity (the next test's reset lifts it)."""
    kiosk.wait_for_screen("identify", timeout=15)
    kiosk.place_card(card)
    kiosk.wait_until(lambda: kiosk.app.session.identity is not None, timeout=20, what="the card read")
    kiosk.wait_for_screen(back_to, timeout=15)


def settle(kiosk: Any, most_frames: int = 240) -> None:
    """Run the UI until the screen has the hall's answer in the new language (names of services and
    holidays come from the hall), so a screenshot does not mix languages. A screen that keeps
    waiting (the hall is down and an action is retried) is shot as it is."""
    screen = kiosk.app.screen(kiosk.app.current_screen)
    kiosk.pump(4)
    for _frame in range(0, most_frames, 2):
        if not getattr(screen, "busy", False):
            break
        kiosk.pump(2)
    kiosk.pump(2)


def shots(kiosk: Any, name: str, rerender: Callable[[], Any] | None = None) -> None:
    """Screenshots of the current screen in the three languages and in elderly mode."""
    for lang in LANGS:
        kiosk.app.set_language(lang)
        settle(kiosk)
        kiosk.screenshot(f"flows_{name}_{lang}")
        check_line_starts(kiosk, f"{name} ({lang})")
    kiosk.app.set_language("zh_Hans")
    kiosk.app.elderly = True
    if rerender is not None:
        rerender()
    settle(kiosk)
    kiosk.screenshot(f"flows_{name}_elderly")
    check_elderly_targets(kiosk, name)
    check_line_starts(kiosk, f"{name} (elderly)")
    kiosk.app.elderly = False
    if rerender is not None:
        rerender()
    kiosk.pump(2)


def check_elderly_targets(kiosk: Any, name: str) -> None:
    """In elderly mode every touch target on screen is at least 60 px high and wide."""
    from kivy.uix.behaviors import ButtonBehavior

    small = [
        (type(w).__name__, getattr(w, "text", "")[:20], round(w.width), round(w.height))
        for w in kiosk.widgets()
        if isinstance(w, ButtonBehavior) and not w.disabled and (w.height < 60 or w.width < 60)
    ]
    assert not small, f"{name}: touch targets under 60 px in elderly mode: {small}"


def check_line_starts(kiosk: Any, name: str) -> None:
    """No text on screen has a line that starts with a closing mark (。，、） …) cut off from its
    sentence, nor a number cut in two across lines."""
    from kivy.uix.label import Label

    from kiosk.ui.text_layout import NO_LINE_START, bad_breaks, rendered_lines

    stranded = [
        (label.text[:30], lines[index - 1][-4:] + " / " + line[:4])
        for label in kiosk.widgets()
        if isinstance(label, Label) and label.text and label.opacity > 0
        for lines in [rendered_lines(label)]
        for index, line in enumerate(lines)
        if index > 0 and line[:1] in NO_LINE_START
    ]
    assert not stranded, f"{name}: a line starts with a closing mark: {stranded}"
    cut = [(label.text[:30], breaks) for label in kiosk.widgets()
           if isinstance(label, Label) and label.text and (breaks := bad_breaks(label))]
    assert not cut, f"{name}: a number or word is cut across lines: {cut}"


def hall_service(kiosk: Any, code: str, lang: str) -> Any:
    """The hall's own catalogue entry for a service in an API language (zh-Hans, zh-Hant, en)."""
    reply = requests.get(
        f"{kiosk.hall.url}/api/v1/services/{code}", params={"lang": lang}, timeout=10,
        headers={"Authorization": f"Bearer {kiosk.app.kiosk_config.hall.token}"},
    )
    reply.raise_for_status()
    return reply.json()


@pytest.fixture
def flow_helpers() -> Any:
    class Helpers:
        tap_in_list = staticmethod(tap_in_list)
        tap_service = staticmethod(tap_service)
        hall_service = staticmethod(hall_service)
        identify_with_card = staticmethod(identify_with_card)
        shots = staticmethod(shots)

    return Helpers
