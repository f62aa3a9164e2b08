"""The note shown over any screen when a lifted ID card made the visit forget its citizen."""

from typing import Any

from kivy.clock import Clock, ClockEvent
from kivy.uix.modalview import ModalView

from kiosk.i18n import N_

CARD_REMOVED = N_("Your ID card was removed, so your details were cleared.")
PLACE_AGAIN = N_("To go on, place your ID card on the reader again.")


class CardRemovedView(ModalView):
    """Its words are in card_notice.kv, so they follow a language switch."""


class CardRemovedNotice:
    """Opens the note (built on first use) and closes it after ``shown_s`` or at a touch."""

    def __init__(self, shown_s: float = 8.0) -> None:
        self.shown_s = shown_s
        self.view: CardRemovedView | None = None
        self._closing: ClockEvent | None = None

    @property
    def is_open(self) -> bool:
        return self.view is not None and self.view.parent is not None

    def show(self) -> None:
        if self.view is None:
            self.view = CardRemovedView()
        if self.view.parent is None:
            self.view.open(animation=False)
        if self._closing is not None:
            self._closing.cancel()
        self._closing = Clock.schedule_once(lambda _dt: self.dismiss(), self.shown_s)

    def dismiss(self, *_args: Any) -> None:
        if self._closing is not None:
            self._closing.cancel()
            self._closing = None
        if self.view is not None and self.view.parent is not None:
            self.view.dismiss(animation=False)
