"""A QR code drawn from its modules (crisp at any size, no image files)."""

from typing import Any

import qrcode
from kivy.graphics import Color, Rectangle
from kivy.properties import StringProperty
from kivy.uix.widget import Widget


def qr_matrix(text: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


class QrCode(Widget):
    data = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        # Before Widget.__init__: it applies data= from kwargs (calling on_data) before it has
        # made the canvas, so the matrix is kept then and drawn once the canvas is there.
        self._matrix: list[list[bool]] = []
        super().__init__(**kwargs)
        self.bind(pos=self._redraw, size=self._redraw)
        self._redraw()

    def on_data(self, _instance: "QrCode", value: str) -> None:
        self._matrix = qr_matrix(value) if value else []
        self._redraw()

    def _redraw(self, *_args: Any) -> None:
        if self.canvas is None:
            return
        self.canvas.clear()
        if not self._matrix:
            return
        count = len(self._matrix)
        side = min(self.width, self.height)
        cell = side / count
        left = self.x + (self.width - side) / 2
        top = self.y + (self.height + side) / 2
        with self.canvas:
            Color(1, 1, 1, 1)
            Rectangle(pos=(left, top - side), size=(side, side))
            Color(0, 0, 0, 1)
            for row, line in enumerate(self._matrix):
                for col, dark in enumerate(line):
                    if dark:
                        Rectangle(pos=(left + col * cell, top - (row + 1) * cell), size=(cell, cell))
