"""The key of the name keyboard and the handwriting pad: theme colours by kind, and a font size
that steps down when the screen leaves the keys little height."""

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.button import Button

Builder.load_string(
    """
#:set QUIET (0.85, 0.86, 0.88, 1)

# KioskButton's colours, but not its rule: that rule's font_size binding would win again whenever
# the theme changes size (elderly mode), whatever role the key has.
<NameKeyButton>:
    size_hint_y: 1
    # Each size named, so the rule follows the theme (a getattr would be evaluated only once).
    font_size:
        self.fitted_size(self.height, app.theme.font_small, app.theme.font_body,
        app.theme.font_large, app.theme.font_title)
    background_normal: ''
    background_down: ''
    background_disabled_normal: ''
    background_disabled_down: ''
    bg_color: {'primary': app.theme.primary, 'secondary': app.theme.accent, 'quiet': QUIET}[self.kind]
    background_color: [c * (0.8 if self.state == 'down' else 1) for c in self.bg_color[:3]] + [1]
    color: app.theme.text if self.kind == 'quiet' else app.theme.primary_text
    disabled_color: self.color
    text_size: self.width - 16, None
    halign: 'center'
    opacity: (0.3 if self.disabled else 1) if self.shown else 0
"""
)


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
