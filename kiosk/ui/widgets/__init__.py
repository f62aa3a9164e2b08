"""Widgets every kiosk screen uses; importing this package registers them with kv."""

from kiosk.ui.widgets.buttons import KioskButton, LanguageButton, Tile
from kiosk.ui.widgets.hidden_corner import HiddenCorner, TapSequence
from kiosk.ui.widgets.labels import KioskLabel
from kiosk.ui.widgets.numeric_pad import NumericPad
from kiosk.ui.widgets.overlays import IdleWarning, OutOfService
from kiosk.ui.widgets.panel import Panel
from kiosk.ui.widgets.qr import QrCode
from kiosk.ui.widgets.screen_body import ScreenBody
from kiosk.ui.widgets.tile_icon import TileIcon
from kiosk.ui.widgets.top_bar import TopBar

__all__ = [
    "HiddenCorner",
    "IdleWarning",
    "KioskButton",
    "KioskLabel",
    "LanguageButton",
    "NumericPad",
    "OutOfService",
    "Panel",
    "QrCode",
    "ScreenBody",
    "TapSequence",
    "Tile",
    "TileIcon",
    "TopBar",
]
