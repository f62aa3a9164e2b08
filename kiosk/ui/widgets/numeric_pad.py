"""A large numeric pad for ID numbers and PINs: digits, X (optional), backspace, clear."""

from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.gridlayout import GridLayout

from kiosk.ui.text_layout import fit_on_one_line


class NumericPad(GridLayout):
    """Edits ``value``; ``allow_x`` adds the X key that ends some ID numbers."""

    value = StringProperty("")
    max_length = NumericProperty(18)
    allow_x = BooleanProperty(True)
    masked = BooleanProperty(False)

    def on_kv_post(self, base_widget: object) -> None:
        # "Delete" in elderly English is wider than the key at body size: it wrapped ("Delet" / "e").
        fit_on_one_line(self.ids.backspace)

    def press(self, key: str) -> None:
        if key == "back":
            self.value = self.value[:-1]
        elif key == "clear":
            self.value = ""
        elif key == "X":
            # X is only the check character, so it can only be the last one.
            if self.allow_x and len(self.value) == self.max_length - 1:
                self.value += "X"
        elif key.isdigit() and len(self.value) < self.max_length and not self.value.endswith("X"):
            self.value += key
