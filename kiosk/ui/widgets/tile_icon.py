"""The pictures of the home tiles, drawn as lines and shapes on the Kivy canvas (made for this
kiosk, no font or image file): a calendar, a ticket, a printed sheet, a book, a video camera."""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Ellipse, Line, Rectangle, Triangle
from kivy.properties import ColorProperty, NumericProperty, StringProperty
from kivy.uix.widget import Widget

# Each picture in a unit square (x right, y up): ("line", points, closed), ("box", x, y, w, h)
# filled, ("dot", cx, cy, r), ("tri", x1, y1, x2, y2, x3, y3) filled.
Shape = tuple[Any, ...]
ICONS: dict[str, tuple[Shape, ...]] = {
    # A calendar page with its rings and a tick on a day.
    "booking": (
        ("line", (0.12, 0.1, 0.88, 0.1, 0.88, 0.8, 0.12, 0.8), True),
        ("box", 0.12, 0.64, 0.76, 0.16),
        ("line", (0.32, 0.72, 0.32, 0.92), False),
        ("line", (0.68, 0.72, 0.68, 0.92), False),
        ("line", (0.34, 0.36, 0.46, 0.24, 0.68, 0.5), False),
    ),
    # A queue ticket with a torn edge and its number lines.
    "ticket": (
        ("line", (0.08, 0.22, 0.92, 0.22, 0.92, 0.78, 0.08, 0.78), True),
        ("line", (0.34, 0.26, 0.34, 0.34), False),
        ("line", (0.34, 0.44, 0.34, 0.56), False),
        ("line", (0.34, 0.66, 0.34, 0.74), False),
        ("box", 0.46, 0.54, 0.36, 0.1),
        ("box", 0.46, 0.36, 0.24, 0.07),
        ("dot", 0.2, 0.5, 0.06),
    ),
    # A printed sheet with a folded corner and lines of text.
    "records": (
        ("line", (0.22, 0.06, 0.78, 0.06, 0.78, 0.74, 0.6, 0.94, 0.22, 0.94), True),
        ("line", (0.6, 0.94, 0.6, 0.74, 0.78, 0.74), False),
        ("box", 0.32, 0.6, 0.22, 0.06),
        ("box", 0.32, 0.44, 0.36, 0.06),
        ("box", 0.32, 0.28, 0.36, 0.06),
        ("box", 0.32, 0.14, 0.26, 0.06),
    ),
    # An open book.
    "guides": (
        ("line", (0.5, 0.18, 0.06, 0.26, 0.06, 0.86, 0.5, 0.78), True),
        ("line", (0.5, 0.18, 0.94, 0.26, 0.94, 0.86, 0.5, 0.78), True),
        ("line", (0.14, 0.62, 0.42, 0.57), False),
        ("line", (0.14, 0.46, 0.42, 0.41), False),
        ("line", (0.58, 0.57, 0.86, 0.62), False),
        ("line", (0.58, 0.41, 0.86, 0.46), False),
    ),
    # A video camera.
    "video_help": (
        ("line", (0.06, 0.24, 0.64, 0.24, 0.64, 0.76, 0.06, 0.76), True),
        ("tri", 0.68, 0.5, 0.94, 0.74, 0.94, 0.26),
        ("dot", 0.22, 0.62, 0.06),
    ),
    # A calendar page with a list: the citizen's own bookings.
    "my_bookings": (
        ("line", (0.12, 0.1, 0.88, 0.1, 0.88, 0.8, 0.12, 0.8), True),
        ("box", 0.12, 0.64, 0.76, 0.16),
        ("line", (0.32, 0.72, 0.32, 0.92), False),
        ("line", (0.68, 0.72, 0.68, 0.92), False),
        ("dot", 0.28, 0.46, 0.05),
        ("box", 0.4, 0.43, 0.36, 0.06),
        ("dot", 0.28, 0.26, 0.05),
        ("box", 0.4, 0.23, 0.36, 0.06),
    ),
}


class TileIcon(Widget):
    """Draws ``ICONS[name]`` in ``color`` centred in a square as large as the widget allows;
    an unknown or empty name draws nothing."""

    name = StringProperty("")
    color = ColorProperty((1, 1, 1, 1))
    # Stroke width as a share of the square's side.
    stroke = NumericProperty(0.045)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(name=self.redraw, pos=self.redraw, size=self.redraw, color=self.redraw, stroke=self.redraw)
        self.redraw()

    @property
    def side(self) -> float:
        return float(min(self.width, self.height))

    def redraw(self, *_args: Any) -> None:
        self.canvas.clear()
        shapes = ICONS.get(self.name)
        side = self.side
        if not shapes or side <= 0:
            return
        left, bottom = self.center_x - side / 2, self.center_y - side / 2

        def at(values: tuple[float, ...]) -> list[float]:
            return [(left if i % 2 == 0 else bottom) + v * side for i, v in enumerate(values)]

        with self.canvas:
            Color(*self.color)
            for shape in shapes:
                kind = shape[0]
                if kind == "line":
                    Line(points=at(shape[1]), close=shape[2], width=max(1.0, side * self.stroke / 2),
                         joint="round", cap="round")
                elif kind == "box":
                    x, y = at(shape[1:3])
                    Rectangle(pos=(x, y), size=(shape[3] * side, shape[4] * side))
                elif kind == "dot":
                    cx, cy = at(shape[1:3])
                    radius = shape[3] * side
                    Ellipse(pos=(cx - radius, cy - radius), size=(radius * 2, radius * 2))
                elif kind == "tri":
                    Triangle(points=at(shape[1:7]))
