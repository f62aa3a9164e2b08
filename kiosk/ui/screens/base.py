"""The base of every kiosk screen: the top bar, parameters on entry, device events, visit reset.

A screen subclasses KioskScreen, puts its content in a ``ScreenBody`` (the area below the top
bar) in its kv rule, and overrides only the hooks it needs.
"""

from typing import Any

from kivy.app import App
from kivy.factory import Factory
from kivy.properties import BooleanProperty, DictProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.ui.widgets.top_bar import TopBar


class KioskScreen(Screen):
    """``title`` shows in the top bar; ``show_top_bar`` False for full-bleed screens (attract)."""

    title = StringProperty("")
    show_top_bar = BooleanProperty(True)
    show_home = BooleanProperty(True)
    # Idle timeout applies on this screen (off where no visit is under way).
    idle_applies = BooleanProperty(True)
    params = DictProperty({})

    def on_kv_post(self, base_widget: Widget) -> None:
        if self.show_top_bar:
            chrome = BoxLayout(orientation="vertical", size_hint=(1, None), pos_hint={"x": 0, "top": 1})
            self.top_bar = TopBar(title=self.title, show_home=self.show_home)
            self.bind(title=self.top_bar.setter("title"), show_home=self.top_bar.setter("show_home"))
            banner = Factory.OfflineBanner()
            chrome.add_widget(self.top_bar)
            chrome.add_widget(banner)

            def fit(*_args: Any) -> None:
                chrome.height = self.top_bar.height + banner.height

            self.top_bar.bind(height=fit)
            banner.bind(height=fit)
            fit()
            self.add_widget(chrome)

    @property
    def app(self) -> Any:
        return App.get_running_app()

    # -- hooks for subclasses --

    def on_enter_params(self, **params: Any) -> None:
        """Called by ``app.go(name, **params)`` before the screen is shown."""
        self.params = params

    def on_card_placed(self, card: Any) -> None:
        """An ID card was read on the reader while this screen is showing."""

    def on_card_removed(self) -> None:
        """The card was lifted."""

    def person_forgotten(self, shown: bool) -> None:
        """The visit forgot its citizen (their ID card was lifted): drop whatever this screen holds
        or shows of them; ``shown`` when it is the screen in front of them."""

    def on_scan(self, payload: bytes) -> None:
        """The scanner read a code while this screen is showing (opaque bytes)."""

    def on_language(self, lang: str) -> None:
        """The language changed: refresh any text set from Python (kv text follows by itself)."""

    def reset_visit(self) -> None:
        """The visit ended: forget anything personal this screen shows or holds."""
        self.params = {}
