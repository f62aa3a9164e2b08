"""What the citizen-flow screens share: a prompt, a message line, a content area rebuilt per step,
a back button; hall calls run off the UI thread with errors shown in plain words.

Screens build each step's widgets in Python (lists of services, calendar cells, slots) and rebuild
the current step when the language changes, so every text follows the language live.
"""

import itertools
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from kivy.app import App
from kivy.core.text import Label as CoreLabel
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from hall_contract import Catalogue, Service
from kiosk.flows import guides as guide_rules
from kiosk.flows.catalogue_cache import CatalogueCache
from kiosk.flows.guides import GuidesFlow
from kiosk.flows.offline import retry_until_reachable
from kiosk.flows.words import day_text, error_text
from kiosk.hall_client import HallError, HallUnreachable
from kiosk.i18n import N_, _
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.theme import FONT_SIZES
from kiosk.ui.widgets.buttons import KioskButton
from kiosk.ui.widgets.labels import KioskLabel

log = logging.getLogger(__name__)

Builder.load_string(
    """
#:import _ kiosk.i18n._

<FlowScreen>:
    ScreenBody:
        id: body
        KioskLabel:
            id: prompt
            role: 'large'
            font_size: app.theme.font_large
            bold: True
            text: root.prompt
        KioskLabel:
            id: message
            font_size: app.theme.font_body
            text: root.message
            color: app.theme.error if root.message_is_error else app.theme.accent
            collapsed: not root.message
        BoxLayout:
            id: content
            orientation: 'vertical'
            spacing: app.theme.gap
        BoxLayout:
            id: footer
            size_hint_y: None
            height: app.theme.button_h
            spacing: app.theme.gap
            KioskButton:
                id: back_button
                kind: 'quiet'
                size_hint_x: None
                width: app.theme.button_h * 3.5
                text: _('Back', app.lang)
                opacity: 1 if root.can_go_back else 0
                disabled: not root.can_go_back
                on_release: root.back()
            KioskLabel:
                id: busy_label
                font_size: app.theme.font_body
                halign: 'center'
                color: app.theme.muted
                text: _('Please wait…', app.lang) if root.busy else ''

<ScrollList>:
    do_scroll_x: False
    bar_width: 12
    scroll_type: ['bars', 'content']
    BoxLayout:
        id: rows
        orientation: 'vertical'
        size_hint_y: None
        height: self.minimum_height
        spacing: app.theme.gap * 0.6
        padding: 0, 0, 20, 0

<InitialsKeyboard>:
    cols: 9
    spacing: app.theme.gap * 0.4
    size_hint_y: None
    height: (app.theme.button_h) * 3 + self.spacing[1] * 2
"""
)


# Properties the shell's kv rules for KioskLabel and KioskButton set: the rule is applied after
# constructor arguments, so these are assigned once the widget exists.
_SET_BY_KV = ("color", "font_size", "halign", "bold")

# Marks that Chinese typesetting never lets begin a line (GB/T 15834 closing punctuation). Kivy wraps
# a run of Chinese at any character and honours no joiner (U+2060, U+FEFF, NBSP), so the label is
# narrowed instead: the last character of the line before then goes down with the mark.
NO_LINE_START = frozenset("。，、；：？！）》」』】〕〉”’…%")
# Numbers the fetches made after a language switch, so only the latest answer is applied.
_FETCH_NUMBERS = itertools.count(1)
# The air a word on a key keeps on its sides together.
_KEY_TEXT_MARGIN = 10
# How many characters' width a label may give up to keep a mark with its text.
_MAX_NARROWING = 3


def rendered_lines(label: Any) -> list[str]:
    """The lines a label is drawn in, as its core label laid them out."""
    lines = getattr(getattr(label, "_label", None), "_cached_lines", None) or ()
    return ["".join(word.text for word in line.words) for line in lines]


def _in_a_word(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in ":.")


def bad_breaks(label: Any) -> list[tuple[str, str]]:
    """The places (line before, line after) where a label breaks badly: a line that starts with a
    closing mark, or a number or Latin word cut in two (12:00 as 1 / 2:00)."""
    lines = rendered_lines(label)
    text = None if label.markup else label.text
    found = []
    position = 0
    for index, line in enumerate(lines):
        start = text.find(line, position) if text is not None and line else -1
        before = lines[index - 1] if index else ""
        if before and line:
            if line[0] in NO_LINE_START:
                found.append((before, line))
            elif start == position and _in_a_word(before[-1]) and _in_a_word(line[0]):
                # Nothing (no space, no newline) between the two lines: the break is inside a word.
                found.append((before, line))
        if start >= 0:
            position = start + len(line)
    return found


def keep_marks_attached(label: Any) -> None:
    """Wrap ``label`` so that no line of it starts with a closing mark or cuts a number in two,
    whatever its width: the text gives up a character's width on its right (left-aligned text stays
    where it is)."""
    base = list(label.padding)
    state = {"extra": 0.0}

    def set_extra(extra: float) -> None:
        state["extra"] = extra
        label.padding = [base[0], base[1], base[2] + extra, base[3]]

    def check(*_args: Any) -> None:
        for _attempt in range(_MAX_NARROWING):
            if not label.text_size[0] or not bad_breaks(label):
                return
            extra = state["extra"] + label.font_size
            if extra > label.font_size * _MAX_NARROWING or extra >= label.width / 2:
                return
            set_extra(extra)
            label.texture_update()

    def widen(*_args: Any) -> None:
        # New words, a new size or a new width are laid out from the full width again.
        if state["extra"]:
            set_extra(0.0)

    label.bind(text=widen, font_size=widen, width=widen, texture_size=check)


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


def fit_on_one_line(button: Any) -> None:
    """Keep a word on a narrow key on one line, in the largest of the theme's sizes (large, body,
    small) that fits the key in any language and text size; the key's own rule would give it the
    large size of a letter and break a long word in two ("Eras" / "e")."""

    def fit(*_args: Any) -> None:
        theme = App.get_running_app().theme
        room = button.width - _KEY_TEXT_MARGIN
        # Last, the ordinary small size: a word that fits no size of elderly mode still fits a key.
        sizes = (theme.font_large, theme.font_body, theme.font_small, FONT_SIZES[False]["small"])
        size = next((s for s in sizes if _text_width(button.text, s, button.font_name) <= room), sizes[-1])
        if button.font_size != size:
            button.font_size = size

    def unwrapped(*_args: Any) -> None:
        # One word is never wrapped: it is centred in the key at its natural width.
        if tuple(button.text_size) != (None, None):
            button.text_size = (None, None)

    # The key's rule sets the size and the wrapping width again when the theme or the width
    # changes: fit again then.
    button.bind(width=fit, text=fit, font_size=fit, text_size=unwrapped)
    unwrapped()
    fit()


def _text_width(text: str, font_size: float, font_name: str) -> float:
    width, _height = CoreLabel(font_size=font_size, font_name=font_name).get_extents(text)
    return float(width)


class InitialsKeyboard(GridLayout):
    """An A-Z keyboard for pinyin initials (社保 → SB), with backspace and clear."""

    value = StringProperty("")
    max_length = NumericProperty(12)
    keys = ListProperty([])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            self._key(letter, letter, "primary")
        # The font has no ⌫ glyph: a word, translated with the rest of the screen.
        fit_on_one_line(self._key(_("Erase"), "back", "secondary"))

    def _key(self, text: str, value: str, kind: str) -> KioskButton:
        button = KioskButton(text=text, kind=kind)
        button.key_value = value
        button.bind(on_release=lambda *_a: self.press(value))
        self.add_widget(button)
        self.keys.append(button)
        return button

    def press(self, key: str) -> None:
        if key == "back":
            self.value = self.value[:-1]
        elif key == "clear":
            self.value = ""
        elif len(key) == 1 and key.isalpha() and len(self.value) < self.max_length:
            self.value += key.upper()

    def key(self, value: str) -> Any:
        return next(k for k in self.keys if k.key_value == value)


class FlowScreen(KioskScreen):
    """``prompt`` says what to do now; ``message`` says what went wrong (or a note).

    A flow is a series of steps: ``show(step)`` builds one with the screen's ``_render_<step>``.
    """

    step = StringProperty("")
    # The top bar's words, translated at each render.
    title_msgid: ClassVar[str] = ""
    # Where Back leads from a step; from any other step it leads home.
    back_steps: ClassVar[dict[str, str]] = {}
    # The step that ends the flow: there is no way back from it.
    last_step: ClassVar[str | None] = None
    prompt = StringProperty("")
    message = StringProperty("")
    message_is_error = BooleanProperty(True)
    busy = BooleanProperty(False)
    can_go_back = BooleanProperty(True)
    # Seconds between tries while the hall is unreachable during a creating action.
    retry_interval_s = NumericProperty(3.0)
    # The error code behind ``message``, so the words follow a language switch.
    _message_code: str | None = None
    _message_next_open: datetime | None = None

    # The number of the latest fetch after a language switch, per thing fetched.
    _latest_fetches: dict[str, int] | None = None

    @property
    def _language_fetches(self) -> dict[str, int]:
        if self._latest_fetches is None:
            self._latest_fetches = {}
        return self._latest_fetches

    # -- building steps --

    @property
    def content(self) -> Any:
        return self.ids.content

    def clear_content(self) -> None:
        self.content.clear_widgets()

    def label(self, text: str, role: str = "body", **kwargs: Any) -> KioskLabel:
        after = {k: kwargs.pop(k) for k in _SET_BY_KV if k in kwargs}
        label = KioskLabel(text=text, role=role, **kwargs)
        for key, value in after.items():
            setattr(label, key, value)
        # While the screen waits for the hall its content is disabled; Kivy would then draw text in
        # its faint white, unreadable on the light background.
        label.disabled_color = self.app.theme.muted
        keep_marks_attached(label)
        return label

    def button(self, text: str, on_press: Callable[[], None], **kwargs: Any) -> KioskButton:
        after = {k: kwargs.pop(k) for k in _SET_BY_KV if k in kwargs}
        button = KioskButton(text=text, **kwargs)
        for key, value in after.items():
            setattr(button, key, value)
        button.bind(on_release=lambda *_a: on_press())
        return button

    def list_button(self, text: str, on_press: Callable[[], None], **kwargs: Any) -> KioskButton:
        """A button in a list: at least 1.3 touch targets high, taller when its text wraps."""
        button = self.button(text, on_press, **kwargs)
        least = self.app.theme.button_h * 1.3
        button.height = least
        button.bind(texture_size=lambda b, size: setattr(b, "height", max(least, size[1] + 28)))
        return button

    def say(self, text: str, *, error: bool = True) -> None:
        self._message_code = None
        self.message_is_error = error
        self.message = text

    def say_code(self, code: str | None, next_open: datetime | None = None) -> None:
        """Show the words for an error code (and when the hall opens next, if it said so);
        they follow a language switch."""
        self.message_is_error = True
        self._message_code = code
        self._message_next_open = next_open
        self.message = self._code_text(self.app.lang)

    def _code_text(self, lang: str) -> str:
        text = error_text(self._message_code, lang)
        when = self._message_next_open
        if when is not None:
            text += " " + _("Next opening: {day} {time}.", lang).format(
                day=day_text(when.date(), lang), time=f"{when:%H:%M}")
        return text

    def _translate_message(self, lang: str) -> None:
        if self._message_code is not None and self.message:
            self.message = self._code_text(lang)

    # -- hall calls --

    def call(
        self,
        make: Callable[[], Awaitable[Any]],
        done: Callable[[Any], None],
        *,
        retry_offline: bool = False,
        failed: Callable[[BaseException], bool] | None = None,
    ) -> None:
        """Run ``make()`` on the loop, then ``done(result)`` on the UI.

        With ``retry_offline`` (creating actions, whose idempotency key is inside ``make``) an
        unreachable hall is tried again until it answers, saying so meanwhile. ``failed(exc)``
        may handle an error itself (returning True); otherwise hall errors are shown in words.
        """
        self.busy = True
        self.say("")

        def unreachable(_attempt: int) -> None:
            self.app.hall_unreachable()
            self.say_code("hall_unreachable")

        async def run() -> Any:
            if retry_offline:
                return await retry_until_reachable(
                    make, interval_s=self.retry_interval_s, on_unreachable=unreachable
                )
            return await make()

        def ok(result: Any) -> None:
            self.busy = False
            if self.app.current_screen != self.name:
                # The citizen has moved on (or the visit ended): an answer for nobody.
                return
            self.say("")
            done(result)

        def error(exc: BaseException) -> None:
            self.busy = False
            if self.app.current_screen != self.name:
                return
            if failed is not None and failed(exc):
                return
            self.show_error(exc)

        self._task = self.app.run_task(run(), ok, error)

    def fetch_in_language(
        self, what: str, lang: str, make: Callable[[], Awaitable[Any]], apply: Callable[[Any], None]
    ) -> None:
        """Fetch ``what`` the step shows from the hall again in ``lang`` (the hall's texts come in
        the language asked), then ``apply(result)``.

        Only the answer to the latest switch is applied, so a quick double switch ends in the last
        language. A failure keeps what is shown: the citizen did nothing wrong, so no error is said
        (an unreachable hall still raises the offline banner).
        """
        fetches = self._language_fetches
        fetch = fetches[what] = next(_FETCH_NUMBERS)
        self.busy = True

        def latest() -> bool:
            return fetches.get(what) == fetch

        def done(result: Any) -> None:
            if not latest():
                return
            self.busy = False
            if self.app.current_screen == self.name and lang == self.app.lang:
                apply(result)

        def failed(exc: BaseException) -> None:
            if latest():
                self.busy = False
            self.app.background_request_failed(exc)
            log.info("%s %s kept in the previous language: %s", self.name, what,
                     getattr(exc, "code", type(exc).__name__))

        self.app.run_task(make(), done, failed)

    def on_busy(self, _instance: Any, busy: bool) -> None:
        # One action at a time: a second touch while the first waits (or retries) would be a
        # second request, and a different choice would carry a different idempotency key.
        if "content" in self.ids:
            self.ids.content.disabled = busy

    def on_pre_leave(self, *args: Any) -> None:
        # Leaving abandons what this screen was waiting for; nobody is there to see its result.
        task = getattr(self, "_task", None)
        if task is not None and not task.done():
            task.cancel()
        self.busy = False

    def show_error(self, exc: BaseException) -> None:
        if isinstance(exc, HallUnreachable):
            self.app.hall_unreachable()
            self.say_code("hall_unreachable")
        elif isinstance(exc, HallError):
            self.say_code(exc.code, next_open=_next_open(exc))
        else:
            # Not a refusal we can explain: the outermost guard logs it and shows "out of service".
            raise exc

    # -- navigation --

    def back(self) -> None:
        previous = self.back_steps.get(self.step)
        if previous is None:
            self.app.go("home")
        else:
            self.show(previous)

    def _printed(self, outcome: Any) -> None:
        """A print job's outcome: kept, and shown if the citizen is still on the last step."""
        self.print_outcome = outcome
        if self.last_step is not None and self.step == self.last_step:
            self.render()

    def show(self, step: str) -> None:
        self.step = step
        if self.last_step is not None:
            self.can_go_back = step != self.last_step
        self.render()

    def on_kv_post(self, base_widget: Any) -> None:
        super().on_kv_post(base_widget)
        keep_marks_attached(self.ids.prompt)
        keep_marks_attached(self.ids.message)
        # Text built in Python takes its size when built: build again for elderly mode.
        # Bound methods, which Kivy holds weakly: the app must not keep a screen alive.
        self.app.bind(elderly=self._on_app_elderly, lang=self._on_app_lang)

    def _on_app_elderly(self, _app: Any, _elderly: bool) -> None:
        if self.app.current_screen == self.name:
            self.render()

    def _on_app_lang(self, _app: Any, lang: str) -> None:
        self._translate_message(lang)

    def on_language(self, lang: str) -> None:
        self.render()

    def render(self) -> None:
        """Rebuild the current step (after a step change or a language switch)."""
        self.clear_content()
        if self.title_msgid:
            self.title = _(self.title_msgid)
        getattr(self, f"_render_{self.step}")()

    def reset_visit(self) -> None:
        super().reset_visit()
        # An answer still on its way belongs to the visit that asked for it.
        self._language_fetches.clear()
        self.message = ""
        self.busy = False
        self.clear_content()


class ServiceSearchScreen(FlowScreen):
    """A flow that starts with a service: a list of services beside a keyboard that narrows it by
    pinyin initials. ``lists(service)`` says which services the flow offers."""

    # What the list says when no offered service matches the typed letters.
    no_match_msgid: ClassVar[str] = N_("No service matches these letters.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.catalogue: Catalogue | None = None
        self.keyboard: InitialsKeyboard | None = None
        self.service_list: ScrollList | None = None
        self.service_buttons: dict[str, Any] = {}
        self.search_label: KioskLabel | None = None
        self.service: Any = None

    def search_panel(self, *, cols: int = 9, rows: int = 3, **kwargs: Any) -> BoxLayout:
        """The hint, the letters typed so far and the keyboard; typing refills ``service_list``.
        The letters typed survive a rebuild of the step."""
        panel = BoxLayout(orientation="vertical", spacing=12, **kwargs)
        typed = self.keyboard.value if self.keyboard else ""
        keyboard = self.keyboard = InitialsKeyboard(value=typed, cols=cols)
        if rows != 3:
            keyboard.height = self.app.theme.button_h * rows + keyboard.spacing[1] * (rows - 1)
        keyboard.bind(value=lambda *_a: self.fill_services())
        self.search_label = self.label("", role="large")
        panel.add_widget(self.label(_("Search by the first letters of the pinyin, e.g. SB for 社保")))
        panel.add_widget(self.search_label)
        panel.add_widget(keyboard)
        panel.add_widget(self.button(_("Show all"), lambda: keyboard.press("clear"), kind="quiet"))
        panel.add_widget(Widget())
        return panel

    def fill_services(self) -> None:
        if self.service_list is None or self.keyboard is None or self.search_label is None:
            return
        typed = self.keyboard.value
        self.search_label.text = _("Letters: {letters}").format(letters=typed) if typed else ""
        self.service_list.clear()
        self.service_buttons = {}
        if self.catalogue is None:
            return
        found = [s for s in guide_rules.search(self.catalogue, typed) if self.lists(s)]
        if not found:
            self.service_list.add(self.label(_(self.no_match_msgid)))
        for service in found:
            button = self.service_button(service)
            self.service_buttons[service.code] = button
            self.service_list.add(button)

    def lists(self, service: Service) -> bool:
        return True

    def service_button(self, service: Service) -> Any:
        """The service's name with its department beneath."""
        text = f"{service.name}\n[size={int(self.app.theme.font_small)}]{service.department.name}[/size]"
        return self.list_button(text, partial(self.choose_service, service), markup=True,
                                font_size=self.app.theme.font_large)

    def choose_service(self, service: Service) -> None:
        raise NotImplementedError

    def load_services(self) -> None:
        """Fetch the catalogue for the ``service`` step; the offline guides are renewed alongside."""
        self.call(lambda: self.app.hall.call(self.app.hall.services, None, self.app.lang), self._got_services)

    def _got_services(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        keep_guides_cached(self.app)
        if self.step == "service":
            self.render()

    def relabel_services(self, lang: str) -> None:
        """Fetch the catalogue again: service names come from the hall in the citizen's language."""
        self.fetch_in_language(
            "services", lang, lambda: self.app.hall.call(self.app.hall.services, None, lang),
            self._relabel_services,
        )

    def _relabel_services(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        if self.service is not None:
            self.service = next((s for s in catalogue.services if s.code == self.service.code), self.service)
        self.render()


def cache_dir(app: Any) -> Path:
    """Where the catalogue is cached: the config's cache directory, else the user cache."""
    configured = getattr(app.kiosk_config, "cache_dir", None) or os.environ.get("KIOSK_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gov-kiosk"


def keep_guides_cached(app: Any) -> None:
    """Renew the offline guides in the background when they are missing or stale."""

    def failed(exc: BaseException) -> None:
        if isinstance(exc, HallUnreachable):
            app.hall_unreachable()
        log.info("guides cache not renewed: %s", getattr(exc, "code", type(exc).__name__))

    flow = GuidesFlow(app.hall, CatalogueCache(cache_dir(app)))
    app.run_task(flow.refresh_if_stale(app.lang), on_error=failed)


def _next_open(exc: HallError) -> datetime | None:
    value = exc.details.get("next_open")
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def paper_width(app: Any) -> int:
    """The configured printer's paper width in dots (80 mm paper when no printer is configured)."""
    printer = getattr(app.kiosk_config.devices, "printer", None)
    return int(getattr(printer, "paper_width_dots", 576) or 576)


def printer_encoding(app: Any) -> str:
    """The configured printer's text encoding (its font decides which characters it can print)."""
    printer = getattr(app.kiosk_config.devices, "printer", None)
    return str(getattr(printer, "encoding", "gb18030") or "gb18030")


def row(*widgets: Any, height: float | None = None, spacing: float = 16) -> BoxLayout:
    box = BoxLayout(orientation="horizontal", size_hint_y=None, spacing=spacing)
    for widget in widgets:
        box.add_widget(widget)
    if height is not None:
        box.height = height
    else:
        box.height = max((w.height for w in widgets), default=0)
    return box

