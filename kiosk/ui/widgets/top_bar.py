"""The bar on every screen: title, the hall's name and time, language switch, elderly and voice
toggles, back to start."""

from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget


class TopBar(BoxLayout):
    title = StringProperty("")
    show_home = BooleanProperty(True)
    # On the home screen the button ends the visit, and says so (结束) rather than 返回首页.
    ends_visit = BooleanProperty(False)
    # The controls go below the title, wrapping into as many rows as they need, when one row cannot
    # hold the whole title beside them (a portrait screen; long English words in elderly mode).
    narrow = BooleanProperty(False)
    # Narrower still, the hall's name and time leave the title's row too, going first among the controls.
    crowded = BooleanProperty(False)
    # The controls side by side on one row.
    controls_width = NumericProperty(0)

    def on_kv_post(self, base_widget: Widget) -> None:
        ids = self.ids
        self.bind(width=self._fit, title=self._fit, controls_width=self._fit)
        ids.title.bind(font_size=self._fit)
        ids.hall_and_time.bind(width=self._fit)
        ids.hidden_corner.bind(width=self._fit)
        ids.controls.bind(spacing=self._measure)
        for control in ids.controls.children:
            control.bind(width=self._measure)
        self._measure()

    def _measure(self, *_args: Any) -> None:
        controls = self.ids.controls
        # ids hold weak proxies: the widget itself is compared.
        block = self.ids.hall_and_time.__self__
        shown = [c for c in controls.children if c.width > 0 and c is not block]
        self.controls_width = sum(c.width for c in shown) + controls.spacing[0] * max(0, len(shown) - 1)

    def _fit(self, *_args: Any) -> None:
        ids = self.ids
        row, title = ids.main_row, ids.title
        title_width, _h = CoreLabel(font_size=title.font_size, font_name=title.font_name,
                                    bold=title.bold).get_extents(title.text)
        # A character's width to spare: Kivy shortens a line a little before it is quite full.
        title_row = (row.padding[0] + row.padding[2] + row.spacing * 2 + ids.hidden_corner.width + title_width
                     + title.font_size + ids.hall_and_time.width)
        self.crowded = 0 < self.width < title_row
        self.narrow = 0 < self.width < title_row + row.spacing + self.controls_width

    def on_narrow(self, *_args: Any) -> None:
        self._arrange()

    def on_crowded(self, *_args: Any) -> None:
        self._arrange()

    def _arrange(self) -> None:
        ids = self.ids
        controls, main_row, hall_and_time = ids.controls, ids.main_row, ids.hall_and_time
        if self.narrow and self.crowded:
            _move(hall_and_time, controls, index=len(controls.children))
        else:
            _move(hall_and_time, main_row)
        _move(controls, self if self.narrow else main_row)
        self._measure()


def _move(widget: Widget, target: Widget, index: int = 0) -> None:
    if widget.parent is target:
        return
    if widget.parent is not None:
        widget.parent.remove_widget(widget)
    target.add_widget(widget, index=index)
