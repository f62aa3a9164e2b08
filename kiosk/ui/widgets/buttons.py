"""Buttons sized for touch: a plain button, a large home tile, a language button."""

from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button


class KioskButton(Button):
    """A button at least the theme's touch-target height, in the kiosk's colours."""

    kind = StringProperty("primary")  # primary | secondary | quiet
    bg_color = ColorProperty((0.71, 0.11, 0.11, 1))


class Tile(ButtonBehavior, BoxLayout):
    """A large tile of the home screen: a title and a one-line hint."""

    text = StringProperty("")
    hint = StringProperty("")
    icon = StringProperty("")
    # The side of the icon's square (the home screen gives all its tiles one size).
    icon_size = NumericProperty(0)
    bg_color = ColorProperty((0.09, 0.36, 0.66, 1))


class LanguageButton(Button):
    """Switches the kiosk to ``lang``; its label is the language's own name."""

    lang = StringProperty("zh_Hans")
    selected = BooleanProperty(False)
