"""A part of a screen that can be hidden: hidden, it is invisible, takes no room and no touches."""

from kivy.input.motionevent import MotionEvent
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget


class Panel(BoxLayout):
    shown = BooleanProperty(True)
    # The share of the height it takes while shown (its size_hint_y then).
    weight = NumericProperty(1)

    def on_shown(self, _instance: "Panel", _shown: bool) -> None:
        self._apply()

    def on_weight(self, _instance: "Panel", _weight: float) -> None:
        self._apply()

    def on_kv_post(self, base_widget: Widget) -> None:
        self._apply()

    def _apply(self) -> None:
        if self.shown:
            self.size_hint_y = self.weight
            self.opacity = 1
        else:
            self.size_hint_y = None
            self.height = 0
            self.opacity = 0

    # Hidden children may still overlap visible ones; they must never take their touches.
    def on_touch_down(self, touch: MotionEvent) -> bool:
        return super().on_touch_down(touch) if self.shown else False

    def on_touch_move(self, touch: MotionEvent) -> bool:
        return super().on_touch_move(touch) if self.shown else False

    def on_touch_up(self, touch: MotionEvent) -> bool:
        return super().on_touch_up(touch) if self.shown else False
