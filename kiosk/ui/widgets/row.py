"""A row of widgets side by side, as high as its tallest one unless told."""

from typing import Any

from kivy.uix.boxlayout import BoxLayout


def row(*widgets: Any, height: float | None = None, spacing: float = 16) -> BoxLayout:
    """``widgets`` side by side in a row ``height`` high (else as high as the tallest)."""
    box = BoxLayout(orientation="horizontal", size_hint_y=None, spacing=spacing)
    for widget in widgets:
        box.add_widget(widget)
    if height is not None:
        box.height = height
    else:
        box.height = max((w.height for w in widgets), default=0)
    return box
