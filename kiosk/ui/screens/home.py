"""The home screen: five large tiles for what a citizen can do here (laid out in home.kv)."""

from kiosk.ui.screens.base import KioskScreen


class HomeScreen(KioskScreen):
    def open(self, screen_name: str) -> None:
        self.app.go(screen_name)
