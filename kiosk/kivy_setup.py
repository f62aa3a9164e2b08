"""Kivy's settings for a kiosk (window, input, hardening) and the shipped fonts, set before the window."""

from __future__ import annotations

from typing import Any

from kivy.config import Config
from kivy.core.text import DEFAULT_FONT, LabelBase

import gov_fonts
from kiosk.config import KioskConfig

FONT_REGULAR = gov_fonts.REGULAR
FONT_BOLD = gov_fonts.BOLD


def configure_kivy(config: KioskConfig) -> None:
    """Kiosk hardening and display settings; must run before Kivy creates its window."""
    screen = config.screen
    width, height = screen.width, screen.height
    if screen.orientation == "portrait" and width > height:
        width, height = height, width
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if screen.fullscreen else "0")
    Config.set("graphics", "borderless", "1" if screen.fullscreen else "0")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "show_cursor", "1" if screen.show_cursor else "0")
    # Kivy asks for 2x multisampling by default. The kiosk draws text from pre-rendered textures
    # and axis-aligned panels, which gain nothing from it, while a multisampled full-HD window
    # costs 60+ MB more under a software renderer and a slower fill on a weak GPU.
    Config.set("graphics", "multisamples", "0")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "pause_on_minimize", "0")
    Config.set("kivy", "keyboard_mode", "system")
    # Exactly one touch input path: drop every provider Kivy would probe, keep the configured one.
    for option in list(Config.options("input")):
        Config.remove_option("input", option)
    provider = screen.touch_input
    if provider == "mouse":
        Config.set("input", "mouse", "mouse,disable_multitouch")
    else:
        # A touch panel driver only: the mouse provider would double every touch that the
        # system also reports as an emulated mouse click.
        Config.set("input", "touch", provider)
    register_fonts()


def register_fonts() -> None:
    """Every label uses the shipped Noto Sans CJK SC faces, so rare characters in names render."""
    # CJK faces have no italic: italic text uses the upright faces.
    LabelBase.register(DEFAULT_FONT, str(FONT_REGULAR), str(FONT_REGULAR), str(FONT_BOLD), str(FONT_BOLD))


def harden_window(window: Any) -> None:
    """Asked to close, the window stays; ESC (27) and the Android back key (1001) never leave the kiosk."""
    window.bind(on_request_close=_stay_open, on_keyboard=_swallow_exit_keys)


def _stay_open(*_args: Any, **_kwargs: Any) -> bool:
    return True


def _swallow_exit_keys(_window: Any, key: int, *_args: Any) -> bool:
    return key in (27, 1001)
