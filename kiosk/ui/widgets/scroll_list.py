"""A vertical list of rows that scrolls by touch."""

from typing import Any

from kivy.uix.scrollview import ScrollView


class ScrollList(ScrollView):
    """A vertical list of rows that scrolls by touch; ``add(widget)`` appends a row."""

    def add(self, widget: Any) -> Any:
        self.ids.rows.add_widget(widget)
        return widget

    def clear(self) -> None:
        self.ids.rows.clear_widgets()

    @property
    def rows(self) -> list[Any]:
        return list(reversed(self.ids.rows.children))
