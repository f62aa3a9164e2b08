"""The attract screen: hall name and hours, "touch to start", languages, elderly mode."""

from kiosk.ui.screens.base import KioskScreen


class AttractScreen(KioskScreen):
    def on_kv_post(self, base_widget):
        self.show_top_bar = False
        self.idle_applies = False
        super().on_kv_post(base_widget)

    def start(self) -> None:
        self.app.go("home")
