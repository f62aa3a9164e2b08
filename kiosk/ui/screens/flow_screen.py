"""What the citizen-flow screens share: a prompt, a message line, a content area rebuilt per step,
a back button; hall calls run off the UI thread with errors shown in plain words.

Screens build each step's widgets in Python (lists of services, calendar cells, slots) and rebuild
the current step when the language changes, so every text follows the language live.
"""

import itertools
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any, ClassVar

from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from hall_contract import Catalogue, Service
from kiosk.flows import guides as guide_rules
from kiosk.flows.catalogue_cache import CatalogueCache
from kiosk.flows.guides import GuidesFlow
from kiosk.flows.offline import retry_until_reachable
from kiosk.flows.words import day_text, error_text
from kiosk.hall_client import HallError, HallUnreachable
from kiosk.i18n import N_, _
from kiosk.ui.app_config import cache_dir, paper_width, printer_encoding
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.text_layout import keep_marks_attached
from kiosk.ui.widgets.buttons import KioskButton
from kiosk.ui.widgets.initials_keyboard import InitialsKeyboard
from kiosk.ui.widgets.labels import KioskLabel
from kiosk.ui.widgets.row import row
from kiosk.ui.widgets.scroll_list import ScrollList

# FlowScreen and ServiceSearchScreen live here; the rest is what the screens built on them take
# from this module alongside.
__all__ = [
    "FlowScreen",
    "ScrollList",
    "ServiceSearchScreen",
    "cache_dir",
    "keep_guides_cached",
    "paper_width",
    "printer_encoding",
    "row",
]

log = logging.getLogger(__name__)

# Properties the shell's kv rules for KioskLabel and KioskButton set: the rule is applied after
# constructor arguments, so these are assigned once the widget exists.
_SET_BY_KV = ("color", "font_size", "halign", "bold")
# Numbers the fetches made after a language switch, so only the latest answer is applied.
_FETCH_NUMBERS = itertools.count(1)


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
    # The flow holds what it learnt of the citizen: when the visit forgets them (their card was
    # lifted) it starts again from its beginning.
    restarts_without_person: ClassVar[bool] = False
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

    def person_forgotten(self, shown: bool) -> None:
        if not self.restarts_without_person:
            return
        # What it was waiting for was asked for the citizen now gone.
        self.on_pre_leave()
        self.reset_visit()
        if shown:
            self.restart()

    def restart(self) -> None:
        """Back to the flow's first step, as on entry."""
        self.on_enter_params()

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
