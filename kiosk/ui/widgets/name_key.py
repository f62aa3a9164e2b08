"""The key of the name keyboard and the handwriting pad: theme colours by kind, and a font size
that steps down when the screen leaves the keys little height. Its rule is in kv/name_keyboard.kv."""

from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.button import Button


class NameKeyButton(Button):
    """A key of the name keyboard; ``value`` is what ``NameKeyboard.press`` receives."""

    kind = StringProperty("primary")  # primary | secondary | quiet, as KioskButton
    bg_color = ColorProperty((0.71, 0.11, 0.11, 1))
    value = StringProperty("")
    role = StringProperty("large")
    shown = BooleanProperty(True)

    # A line of the CJK font is this many times its size high.
    LINE_HEIGHT = 1.45

    def fitted_size(self, height: float, *sizes: float) -> float:
        """The theme size of the key's role (small, body, large, title), or the largest smaller one
        whose line fits the key's height when the screen leaves the keyboard little room."""
        roles = ("small", "body", "large", "title")
        allowed = sizes[: roles.index(self.role) + 1] if self.role in roles else sizes[:2]
        fitting = [size for size in allowed if size * self.LINE_HEIGHT <= height]
        return max(fitting) if fitting else allowed[0]
