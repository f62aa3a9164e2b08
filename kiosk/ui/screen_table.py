"""The kiosk's screens by name, built on first use and let go of between visits."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from kivy.uix.screenmanager import NoTransition, ScreenManager

# name -> (module, class). Screens are imported and built on first use.
SCREENS: dict[str, tuple[str, str]] = {
    name: (f"kiosk.ui.screens.{name}", "".join(part.title() for part in name.split("_")) + "Screen")
    for name in (
        "attract",
        "home",
        "identify",
        "booking",
        "my_bookings",
        "ticket",
        "records",
        "guides",
        "video_help",
        "video_call",
        "review",
        "maintenance",
    )
}
# No visit is under way here: no idle timeout. (Maintenance keeps it: an unlocked technician
# screen left alone must lock itself.)
NO_VISIT_SCREENS = {"attract"}
# The screens kept from one visit to the next (every visit starts on them); others are built anew.
KEPT_SCREENS = {"attract", "home"}


def has_screen(name: str) -> bool:
    """The table names screen ``name`` and its module imports with its class."""
    entry = SCREENS.get(name)
    if entry is None:
        return False
    module_name, class_name = entry
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return False
    return hasattr(module, class_name)


class ScreenTable:
    """The screens built so far, each added to ``manager`` when built."""

    def __init__(self, manager: ScreenManager) -> None:
        self.manager = manager
        self._built: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        """The screen called ``name``, built on first use (in each visit, for all but KEPT_SCREENS)."""
        if name not in SCREENS:
            raise KeyError(f"unknown screen {name!r}")
        built = self._built.get(name)
        if built is None:
            module_name, class_name = SCREENS[name]
            module = importlib.import_module(module_name)
            built = getattr(module, class_name)(name=name)
            self._built[name] = built
            self.manager.add_widget(built)
        return built

    def find(self, name: str) -> Any:
        """The screen called ``name`` if it is built, else None."""
        return self._built.get(name)

    @property
    def built(self) -> Mapping[str, Any]:
        return dict(self._built)

    def drop_visit_screens(self) -> None:
        """Let go of every screen but the two each visit starts on; they are built again when next
        used (tens of ms each). Kept, the eleven screens' widgets, bindings and textures held
        about 30 MB between visits that most visits never look at."""
        for name in [name for name in self._built if name not in KEPT_SCREENS]:
            screen = self._built.pop(name)
            self.manager.remove_widget(screen)
        # A finished transition still holds the screen it took away (and allows no None there).
        self.manager.transition = NoTransition()
