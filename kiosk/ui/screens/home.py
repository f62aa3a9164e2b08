"""The home screen: large tiles for what a citizen can do here (laid out in home.kv)."""

from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.widget import Widget

from kiosk.ui.screens.base import KioskScreen

# An icon is at most this many title font sizes high, and leaves this share of a tile's free height.
ICON_TITLES = 2.2
ICON_SHARE = 0.85


class HomeScreen(KioskScreen):
    # Home is where the visit starts: the top bar's button here ends it.
    home_ends_visit = BooleanProperty(True)
    # One size for every tile's icon: as large as the tile with the most words leaves room for.
    icon_size = NumericProperty(0)

    def on_kv_post(self, base_widget: Widget) -> None:
        super().on_kv_post(base_widget)
        fit = Clock.create_trigger(self._fit_icons)
        self.app.theme.bind(font_title=fit)
        for tile in self.ids.tiles.children:
            tile.bind(height=fit)
            tile.ids.tile_title.bind(height=fit)
            tile.ids.tile_hint.bind(height=fit)
        fit()

    def _fit_icons(self, *_args: Any) -> None:
        tiles = [tile for tile in self.ids.tiles.children if tile.icon]
        if not tiles:
            return
        # Five children in a tile: four gaps between them.
        room = min(tile.height - tile.padding[1] - tile.padding[3] - tile.spacing * 4
                   - tile.ids.tile_title.height - tile.ids.tile_hint.height for tile in tiles)
        self.icon_size = max(0.0, min(self.app.theme.font_title * ICON_TITLES, room * ICON_SHARE))

    def open(self, screen_name: str) -> None:
        self.app.go(screen_name)

    def spoken_parts(self) -> list[str]:
        # The question, then what each tile offers, in the order they are laid out.
        return [self.title, *(tile.text for tile in reversed(self.ids.tiles.children))]
