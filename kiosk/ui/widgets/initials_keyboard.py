"""An A-Z keyboard for the pinyin initials a service list is narrowed by."""

from typing import Any

from kivy.properties import ListProperty, NumericProperty, StringProperty
from kivy.uix.gridlayout import GridLayout

from kiosk.i18n import _
from kiosk.ui.text_layout import fit_on_one_line
from kiosk.ui.widgets.buttons import KioskButton


class InitialsKeyboard(GridLayout):
    """An A-Z keyboard for pinyin initials (社保 → SB), with backspace and clear."""

    value = StringProperty("")
    max_length = NumericProperty(12)
    keys = ListProperty([])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            self._key(letter, letter, "primary")
        # The font has no ⌫ glyph: a word, translated with the rest of the screen.
        fit_on_one_line(self._key(_("Erase"), "back", "secondary"))

    def _key(self, text: str, value: str, kind: str) -> KioskButton:
        button = KioskButton(text=text, kind=kind)
        button.key_value = value
        button.bind(on_release=lambda *_a: self.press(value))
        self.add_widget(button)
        self.keys.append(button)
        return button

    def press(self, key: str) -> None:
        if key == "back":
            self.value = self.value[:-1]
        elif key == "clear":
            self.value = ""
        elif len(key) == 1 and key.isalpha() and len(self.value) < self.max_length:
            self.value += key.upper()

    def key(self, value: str) -> Any:
        return next(k for k in self.keys if k.key_value == value)
