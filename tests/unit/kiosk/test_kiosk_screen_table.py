"""The screen table answers which screens this kiosk has without building them."""

from __future__ import annotations

import pytest

from kiosk.ui import screen_table
from kiosk.ui.screen_table import SCREENS, has_screen


def test_every_screen_in_the_table_is_there():
    assert all(has_screen(name) for name in SCREENS)


def test_a_screen_outside_the_table_is_not():
    assert not has_screen("fax")


def test_a_screen_whose_module_does_not_import_is_not(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(screen_table.SCREENS, "video_call", ("kiosk.ui.screens.no_such_module", "X"))
    assert not has_screen("video_call")


def test_a_screen_whose_class_is_missing_is_not(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(screen_table.SCREENS, "video_call", ("kiosk.ui.screens.video_call", "NoSuchScreen"))
    assert not has_screen("video_call")
