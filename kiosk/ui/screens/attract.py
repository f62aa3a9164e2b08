"""The attract screen: hall name and hours (today's from the hall when it answers), "touch to
start", languages, elderly mode."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.properties import StringProperty
from kivy.uix.widget import Widget

from kiosk.i18n import API_LANGUAGE, _
from kiosk.ui.screens.base import KioskScreen

if TYPE_CHECKING:
    # The contract's models (pydantic) load with the hall client, after the first screen is drawn.
    from hall_contract import Calendar, CalendarDay


class AttractScreen(KioskScreen):
    # Today's sessions as the hall reports them, in the current language ("" until it answers).
    today_text = StringProperty("")

    def on_kv_post(self, base_widget: Widget) -> None:
        self.show_top_bar = False
        self.idle_applies = False
        super().on_kv_post(base_widget)
        self._days: tuple[CalendarDay, ...] | None = None

    def on_enter_params(self, **params: Any) -> None:
        super().on_enter_params(**params)
        # After the first frame: asking the hall must not delay the screen. The delay counts from
        # the frame this screen is drawn in (timed from here, it would already be over by then at
        # start-up, when building the screen takes longer, and the first ask, which loads the hall
        # client and the contract's models, would come before the screen).
        Clock.schedule_once(lambda _dt: Clock.schedule_once(lambda _dt: self.refresh_today(), 0.3))

    def spoken_parts(self) -> list[str]:
        return [self.app.local_hall_name, _("Touch to start")]

    def start(self) -> None:
        self.app.go("home")

    def refresh_today(self) -> None:
        app = self.app
        day = app.hall_today or date.today()
        # Unreachable hall: the configured hours stay on screen and the offline banner says why.
        lang = API_LANGUAGE[app.lang]
        # Only the latest answer is shown: one asked before a language switch may come in after it.
        self._latest = asked = getattr(self, "_latest", 0) + 1

        def got_days(calendar: Calendar) -> None:
            if asked == self._latest:
                self._got_days(calendar)

        app.run_task(app.hall.call(app.hall.calendar, app.kiosk_config.hall.site, day, day, lang),
                     on_done=got_days, on_error=app.background_request_failed)

    def _got_days(self, calendar: Calendar) -> None:
        self._days = calendar.days
        self._render()

    def _render(self) -> None:
        if not self._days:
            self.today_text = ""
            return
        today = self._days[0]
        sessions = [s for s in today.sessions if s.kind != "self_service"]
        if not sessions:
            reason = f" ({today.holiday})" if today.holiday else ""
            self.today_text = _("The hall is closed today{reason}; the self-service area is open.").format(
                reason=reason)
            return
        # Each session by the site's own name for it, in the language asked.
        parts = [f"{session.name} {session.start}-{session.end}".strip() for session in sessions]
        self.today_text = _("Open today: {hours}").format(hours=_(", ").join(parts))

    def on_language(self, lang: str) -> None:
        # Holiday names come from the hall in the asked language.
        if self.app.current_screen == "attract":
            self.refresh_today()
        else:
            self._render()
