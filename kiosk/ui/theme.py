"""Sizes and colours of the kiosk: one small fixed set of font sizes, normal and elderly."""

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty

# Each distinct font size keeps a font object alive, so the set is small and fixed.
FONT_SIZES = {
    False: {"small": 22, "body": 28, "large": 36, "title": 48, "huge": 72},
    True: {"small": 28, "body": 36, "large": 46, "title": 58, "huge": 84},
}
# Touch targets: elderly mode keeps every one at least 60 px (DESIGN §7).
TARGETS = {
    False: {"button_h": 64, "tile_h": 180, "key": 80, "top_bar_h": 72},
    True: {"button_h": 88, "tile_h": 220, "key": 100, "top_bar_h": 96},
}
MIN_ELDERLY_TARGET = 60


class Theme(EventDispatcher):
    elderly = BooleanProperty(False)

    font_small = NumericProperty(FONT_SIZES[False]["small"])
    font_body = NumericProperty(FONT_SIZES[False]["body"])
    font_large = NumericProperty(FONT_SIZES[False]["large"])
    font_title = NumericProperty(FONT_SIZES[False]["title"])
    font_huge = NumericProperty(FONT_SIZES[False]["huge"])

    button_h = NumericProperty(TARGETS[False]["button_h"])
    tile_h = NumericProperty(TARGETS[False]["tile_h"])
    key = NumericProperty(TARGETS[False]["key"])
    top_bar_h = NumericProperty(TARGETS[False]["top_bar_h"])
    pad = NumericProperty(24)
    gap = NumericProperty(16)

    bg = ColorProperty((0.96, 0.97, 0.98, 1))
    surface = ColorProperty((1, 1, 1, 1))
    primary = ColorProperty((0.71, 0.11, 0.11, 1))  # the red of government service signage
    primary_text = ColorProperty((1, 1, 1, 1))
    accent = ColorProperty((0.09, 0.36, 0.66, 1))
    text = ColorProperty((0.13, 0.13, 0.15, 1))
    muted = ColorProperty((0.40, 0.42, 0.46, 1))
    ok = ColorProperty((0.12, 0.55, 0.24, 1))
    warn = ColorProperty((0.85, 0.55, 0.05, 1))
    error = ColorProperty((0.78, 0.12, 0.12, 1))
    top_bar = ColorProperty((0.71, 0.11, 0.11, 1))

    def on_elderly(self, _instance: "Theme", elderly: bool) -> None:
        for name, size in FONT_SIZES[elderly].items():
            setattr(self, f"font_{name}", size)
        for name, size in TARGETS[elderly].items():
            setattr(self, name, size)
