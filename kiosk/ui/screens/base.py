"""The base of every kiosk screen: the top bar, parameters on entry, device events, visit reset.

A screen subclasses KioskScreen, puts its content in a ``ScreenBody`` (the area below the top
bar) in its kv rule, and overrides only the hooks it needs.
"""

import time
from typing import Any, ClassVar

from kivy.app import App
from kivy.factory import Factory
from kivy.properties import BooleanProperty, DictProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.ui.widgets.top_bar import TopBar

# A touch this soon after a screen appears was aimed at the screen before it: a late tap on 完成 of
# the thank-you screen, which had just gone home by itself, must not open the tile beneath it.
SETTLE_S = 0.4


class KioskScreen(Screen):
    """``title`` shows in the top bar; ``show_top_bar`` False for full-bleed screens (attract)."""

    title = StringProperty("")
    show_top_bar = BooleanProperty(True)
    show_home = BooleanProperty(True)
    # The top bar's home button ends the visit here (the home screen): it is named 结束, not 返回首页.
    home_ends_visit = BooleanProperty(False)
    # Idle timeout applies on this screen (off where no visit is under way).
    idle_applies = BooleanProperty(True)
    params = DictProperty({})
    # The height of the top bar and the offline banner above the screen's body.
    chrome_height = NumericProperty(0)
    # Voice guidance reads the screen again when one of these changes (those the screen has).
    spoken_properties: ClassVar[tuple[str, ...]] = ("title", "prompt")
    # When the screen last appeared (time.monotonic()).
    shown_at = float("-inf")

    def on_kv_post(self, base_widget: Widget) -> None:
        if self.show_top_bar:
            chrome = BoxLayout(orientation="vertical", size_hint=(1, None), pos_hint={"x": 0, "top": 1})
            self.top_bar = TopBar(title=self.title, show_home=self.show_home, ends_visit=self.home_ends_visit)
            self.bind(title=self.top_bar.setter("title"), show_home=self.top_bar.setter("show_home"),
                      home_ends_visit=self.top_bar.setter("ends_visit"))
            banner = Factory.OfflineBanner()
            chrome.add_widget(self.top_bar)
            chrome.add_widget(banner)

            def fit(*_args: Any) -> None:
                chrome.height = self.chrome_height = self.top_bar.height + banner.height

            self.top_bar.bind(height=fit)
            banner.bind(height=fit)
            fit()
            self.add_widget(chrome)

    def on_pre_enter(self, *args: Any) -> None:
        self.shown_at = time.monotonic()

    def settling(self) -> bool:
        """The screen has only just appeared: touches are swallowed."""
        return time.monotonic() - self.shown_at < SETTLE_S

    def on_touch_down(self, touch: Any) -> bool:
        if self.settling():
            return True
        return bool(super().on_touch_down(touch))

    @property
    def app(self) -> Any:
        return App.get_running_app()

    # -- hooks for subclasses --

    def spoken_parts(self) -> list[str]:
        """What voice guidance reads here, in the current language: the heading and the prompt.
        Never a field's value: names and ID numbers stay unspoken."""
        return [self.title, str(getattr(self, "prompt", ""))]

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
