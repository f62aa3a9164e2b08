"""The home screen: large tiles for what a citizen can do here (laid out in home.kv)."""

from kivy.properties import BooleanProperty

from kiosk.ui.screens.base import KioskScreen


class HomeScreen(KioskScreen):
    # Home is where the visit starts: the top bar's button here ends it.
    home_ends_visit = BooleanProperty(True)

    def open(self, screen_name: str) -> None:
        self.app.go(screen_name)

    def spoken_parts(self) -> list[str]:
        # The question, then what each tile offers, in the order they are laid out.
        return [self.title, *(tile.text for tile in reversed(self.ids.tiles.children))]
