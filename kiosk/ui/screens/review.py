"""Review screen (好差评): five large choices, the chosen level's reasons (optional), skippable;
posted with the transaction's subject, then on to the next screen.
"""

from datetime import date
from functools import partial
from typing import Any

from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.togglebutton import ToggleButton
from kivy.uix.widget import Widget

from hall_contract import ReviewLevel
from kiosk.flows.review import LEVEL_LABELS, ReviewFlow, Subject
from kiosk.flows.words import day_text
from kiosk.hall_client import HallError, HallUnreachable
from kiosk.i18n import N_, _
from kiosk.ui.screens.flow_screen import FlowScreen

LEVEL_COLOURS = {
    5: (0.12, 0.55, 0.24, 1),
    4: (0.35, 0.62, 0.25, 1),
    3: (0.55, 0.55, 0.58, 1),
    2: (0.85, 0.45, 0.10, 1),
    1: (0.78, 0.12, 0.12, 1),
}
THANKS_SECONDS = 4.0


class ReasonToggle(ToggleButton):
    code = StringProperty("")


class ReviewScreen(FlowScreen):
    step = StringProperty("levels")
    title_msgid = N_("Rate our service")
    level = NumericProperty(0)
    # How long the thanks stay before the kiosk moves on by itself.
    thanks_s = NumericProperty(THANKS_SECONDS)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._flow: ReviewFlow | None = None
        self.subject: Subject | None = None
        self.then = "home"
        self.levels: list[ReviewLevel] = []
        self.level_buttons: dict[int, Any] = {}
        self.reason_toggles: dict[str, ReasonToggle] = {}
        self._leave_event: Any = None
        self.result: Any = None

    @property
    def flow(self) -> ReviewFlow:
        if self._flow is None:
            self._flow = ReviewFlow(self.app.hall)
        return self._flow

    def on_enter_params(self, **params: Any) -> None:
        super().on_enter_params(**params)
        self._cancel_leave()
        raw = params.get("subject")
        self.subject = None
        if isinstance(raw, Subject):
            self.subject = raw
        elif isinstance(raw, dict) and raw.get("type") and raw.get("id"):
            try:
                self.subject = Subject(str(raw["type"]), str(raw["id"]))
            except ValueError:
                self.subject = None
        self.then = str(params.get("then") or "home")
        self.level = 0
        self.result = None
        self.can_go_back = False
        self.show("levels")
        self.call(lambda: self.flow.levels(self.app.lang), self._got_levels, failed=self._levels_failed)

    def _levels_failed(self, exc: BaseException) -> bool:
        """Without the hall's labels the levels are shown with the kiosk's own words."""
        if isinstance(exc, HallUnreachable):
            self.app.hall_unreachable()
        return isinstance(exc, HallError)

    def _got_levels(self, levels: list[ReviewLevel]) -> None:
        self.levels = levels
        self.render()

    def on_language(self, lang: str) -> None:
        if self.app.current_screen == self.name:
            # Entering the screen fetches the levels anyway: no request for a screen nobody sees.
            self.fetch_in_language("levels", lang, lambda: self.flow.levels(lang), self._got_levels)
        self.render()

    def reset_visit(self) -> None:
        super().reset_visit()
        if self._flow is not None:
            # A key kept for an unanswered action belongs to that citizen's visit only.
            self._flow.keys.clear()
        self._cancel_leave()
        self.subject = None
        self.level = 0
        self.step = "levels"

    def _label_of(self, level: int) -> str:
        for known in self.levels:
            if known.level == level and known.label:
                return known.label
        return _(LEVEL_LABELS[level])

    # -- five choices --

    def _render_levels(self) -> None:
        self.prompt = _("How satisfied are you with this service?")
        self.content.add_widget(self.label(_("Your rating is anonymous and helps us improve."),
                                           color=self.app.theme.muted))
        grid = GridLayout(cols=5, spacing=self.app.theme.gap)
        self.level_buttons = {}
        for level in (5, 4, 3, 2, 1):
            button = self.button(f"{self._label_of(level)}", partial(self.choose, level))
            button.bg_color = LEVEL_COLOURS[level]
            button.size_hint_y = 1
            button.font_size = self.app.theme.font_title
            self.level_buttons[level] = button
            grid.add_widget(button)
        self.content.add_widget(grid)
        self.skip_button = self.button(_("Skip"), self.skip, kind="quiet")
        self.content.add_widget(self.skip_button)

    def choose(self, level: int) -> None:
        self.level = level
        reasons = self._reasons_of(level)
        if reasons:
            self.show("reasons")
        else:
            self.submit()

    def _reasons_of(self, level: int) -> list[Any]:
        for known in self.levels:
            if known.level == level:
                return list(known.reasons)
        return []

    # -- reasons (optional) --

    def _render_reasons(self) -> None:
        self.prompt = _("{level}: what was the reason? (optional, choose any)").format(
            level=self._label_of(self.level))
        grid = GridLayout(cols=2, spacing=self.app.theme.gap, size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        chosen = {code for code, t in self.reason_toggles.items() if t.state == "down"}
        self.reason_toggles = {}
        for reason in self._reasons_of(self.level):
            toggle = ReasonToggle(text=reason.label, code=reason.code,
                                  state="down" if reason.code in chosen else "normal")
            self.reason_toggles[reason.code] = toggle
            grid.add_widget(toggle)
        self.content.add_widget(grid)
        self.content.add_widget(Widget())
        buttons = BoxLayout(size_hint_y=None, height=self.app.theme.button_h * 1.3,
                            spacing=self.app.theme.gap)
        self.change_button = self.button(_("Change my rating"), partial(self.show, "levels"), kind="quiet")
        self.submit_button = self.button(_("Submit"), self.submit)
        buttons.add_widget(self.change_button)
        buttons.add_widget(self.submit_button)
        self.content.add_widget(buttons)

    def submit(self) -> None:
        if self.subject is None:
            # Nothing to attach the rating to: thank the citizen and move on.
            self.show("thanks")
            self._schedule_leave()
            return
        subject, level = self.subject, self.level
        reasons = [code for code, t in self.reason_toggles.items() if t.state == "down"]
        self.call(lambda: self.flow.submit(level, reasons, subject), self._submitted, retry_offline=True)

    def _submitted(self, result: Any) -> None:
        self.result = result
        self.reason_toggles = {}
        self.show("thanks")
        self._schedule_leave()

    # -- thanks, then on --

    def _render_thanks(self) -> None:
        self.prompt = _("Thank you for your rating")
        if self.level and self.level <= 2:
            self.sorry_label = self.label(self._sorry_text(), role="large")
            self.content.add_widget(self.sorry_label)
        self.content.add_widget(Widget())
        self.done_button = self.button(_("Done"), self.leave)
        self.content.add_widget(self.done_button)

    def _sorry_text(self) -> str:
        """What happens to a bad rating, truthfully: staff look into it (by the follow-up's due
        day when the hall opened one), but the rating is anonymous, so nobody can call back."""
        follow_up = self.result.follow_up if self.result is not None else None
        if follow_up is None:
            return _("We are sorry. Staff will look into it. Your rating is anonymous, so nobody will "
                     "call you back.")
        try:
            due = day_text(date.fromisoformat(follow_up.due))
        except ValueError:
            due = follow_up.due
        return _("We are sorry. Staff will look into it by {day}. Your rating is anonymous, so nobody "
                 "will call you back.").format(day=due)

    def skip(self) -> None:
        self.leave()

    def _schedule_leave(self) -> None:
        self._cancel_leave()
        self._leave_event = Clock.schedule_once(lambda _dt: self.leave(), self.thanks_s)

    def _cancel_leave(self) -> None:
        if self._leave_event is not None:
            self._leave_event.cancel()
            self._leave_event = None

    def leave(self) -> None:
        self._cancel_leave()
        if self.app.current_screen != self.name:
            return
        self.reason_toggles = {}
        if self.then == "attract":
            self.app.end_visit()
        else:
            self.app.go(self.then)
