"""What the citizen-flow screens share: a prompt, a message line, a content area rebuilt per step,
a back button; hall calls run off the UI thread with errors shown in plain words.

Screens build each step's widgets in Python (lists of services, calendar cells, slots) and rebuild
the current step when the language changes, so every text follows the language live.
"""

import itertools
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, ClassVar

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.flows.offline import retry_until_reachable
from kiosk.flows.words import check_in_window_text, day_text, error_text
from kiosk.hall_client import HallError, HallUnreachable
from kiosk.i18n import _
from kiosk.ui.app_config import cache_dir, paper_width, printer_encoding
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.text_layout import keep_marks_attached
from kiosk.ui.widgets.buttons import KioskButton
from kiosk.ui.widgets.labels import KioskLabel
from kiosk.ui.widgets.row import row
from kiosk.ui.widgets.scroll_list import ScrollList

# FlowScreen lives here; the rest is what the screens built on it take from this module alongside.
__all__ = [
    "FlowScreen",
    "ScrollList",
    "cache_dir",
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
    # What the hall said along with the refusal (e.g. when check-in opens), for the words.
    _message_details: dict[str, Any] | None = None

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

    def say_code(
        self, code: str | None, next_open: datetime | None = None, details: dict[str, Any] | None = None
    ) -> None:
        """Show the words for an error code (and when the hall opens next, or when check-in opens,
        if it said so); they follow a language switch."""
        self.message_is_error = True
        self._message_code = code
        self._message_next_open = next_open
        self._message_details = details
        self.message = self._code_text(self.app.lang)

    def _code_text(self, lang: str) -> str:
        text = error_text(self._message_code, lang)
        when = self._message_next_open
        if when is not None:
            text += " " + _("Next opening: {day} {time}.", lang).format(
                day=day_text(when.date(), lang), time=f"{when:%H:%M}")
        details = self._message_details or {}
        window = check_in_window_text(self._message_code, details, self.app.hall_today, lang)
        # Chinese sentences follow each other without a space.
        return text + (" " if lang == "en" else "") + window if window else text

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
            self.say_code(exc.code, next_open=_next_open(exc), details=exc.details)
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
        if step != self.step:
            # What went wrong belongs to the step it went wrong in; it must not follow the citizen.
            self.say("")
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


def _next_open(exc: HallError) -> datetime | None:
    value = exc.details.get("next_open")
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
