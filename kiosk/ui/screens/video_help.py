"""Video help screen: asks the hall whether a cloud seat is staffed now; if so, on to the call;
if not (or remote assistance is absent), says so plainly with the next staffed time and offers a
booking instead.
"""

from datetime import datetime
from typing import Any

from kivy.properties import StringProperty
from kivy.uix.widget import Widget

from hall_contract import AssistStatus
from kiosk.flows.words import day_text
from kiosk.hall_client import HallError, HallUnreachable
from kiosk.i18n import _
from kiosk.ui.screens.flow_screen import FlowScreen


class VideoHelpScreen(FlowScreen):
    # checking | unavailable | absent | offline
    state = StringProperty("checking")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.status: AssistStatus | None = None

    def on_enter_params(self, **params: Any) -> None:
        super().on_enter_params(**params)
        self.status = None
        self.state = "checking"
        self.render()
        self.call(lambda: self.app.hall.call(self.app.hall.assist_status), self._got_status,
                  failed=self._failed)

    def _got_status(self, status: AssistStatus) -> None:
        self.status = status
        if status.staffed_now and self.app.has_screen("video_call"):
            self.app.go("video_call", skill=self.params.get("skill"))
            return
        # Staffed but this kiosk has no video call screen: video help is absent here.
        self.state = "absent" if status.staffed_now else "unavailable"
        self.render()

    def _failed(self, exc: BaseException) -> bool:
        if isinstance(exc, HallUnreachable):
            self.app.hall_unreachable()
            self.state = "offline"
        elif isinstance(exc, HallError):
            # No remote assistance on this hall (404) or refused: the same plain answer.
            self.state = "absent"
        else:
            return False
        self.render()
        return True

    def on_language(self, lang: str) -> None:
        self.render()

    def render(self) -> None:
        self.clear_content()
        self.title = _("Video help")
        if self.state == "checking":
            self.prompt = _("Connecting you to video help…")
            return
        if self.state == "unavailable":
            self.prompt = _("No staff member is available for video help right now.")
            self.content.add_widget(self.label(self._next_open_text(), role="large"))
        elif self.state == "absent":
            self.prompt = _("Video help is not available at this kiosk.")
        else:
            self.prompt = _("Video help cannot be reached right now.")
            self.content.add_widget(
                self.label(_("The service centre's system cannot be reached. Please try again later."),
                           role="large"))
        self.content.add_widget(
            self.label(_("You can book an appointment at a counter instead, or read the service guides."),
                       role="large"))
        self.content.add_widget(Widget())
        self.booking_button = self.button(_("Book an appointment"), lambda: self.app.go("booking"))
        self.booking_button.height = self.app.theme.button_h * 1.4
        self.guides_button = self.button(_("Service guides"), lambda: self.app.go("guides"), kind="secondary")
        self.content.add_widget(self.booking_button)
        self.content.add_widget(self.guides_button)

    def _next_open_text(self) -> str:
        next_open: datetime | None = self.status.next_open if self.status else None
        if next_open is None:
            return _("Please try again during opening hours.")
        return _("Video help is staffed again from {day} {time}.").format(
            day=day_text(next_open.date()), time=f"{next_open:%H:%M}"
        )
