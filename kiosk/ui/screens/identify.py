"""Identify the citizen: ID card on the reader, a scanned QR code, or the ID number typed in.

Entered with ``app.go("identify", next="booking", purpose="booking")``; stores
``session.identity`` and goes to ``next`` (with the other params passed on).
"""

from datetime import date
from typing import Any

from kivy.clock import Clock, ClockEvent
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.widget import Widget

# identify.kv places a NameKeyboard: importing its module registers the class with kv.
import kiosk.ui.widgets.name_keyboard  # noqa: F401
from citizen_id.id_number import is_valid
from citizen_id.masking import mask_id_number, mask_name
from kiosk.i18n import N_, _
from kiosk.session import Identity
from kiosk.ui.screens.base import KioskScreen
from terminal_drivers.id_card.models import IdCard

# What the screen asks for, by the purpose the calling flow gives.
PURPOSES = {
    "booking": N_("To book, we need to know who you are."),
    "check_in": N_("To check in for your booking, we need to know who you are."),
    "records": N_("Your records are private: please show who you are."),
    "my_bookings": N_("Your bookings are private: please show who you are."),
}
DEFAULT_PURPOSE = N_("Please show who you are.")


class IdentifyScreen(KioskScreen):
    # Shown after a card, code or typed number is accepted: masked, for the citizen to confirm.
    confirmed_name = StringProperty("")
    confirmed_id = StringProperty("")
    has_identity = BooleanProperty(False)
    # A msgid shown in red, translated live by the kv rule.
    error = StringProperty("")
    purpose_text = StringProperty(DEFAULT_PURPOSE)
    # The masked confirmation stays this long, then the visit goes on by itself ("Yes, continue"
    # goes on at once, "Not me" cancels); None waits for a touch.
    auto_continue_s = NumericProperty(2.5, allownone=True)

    def on_kv_post(self, base_widget: Widget) -> None:
        super().on_kv_post(base_widget)
        self._pending: Identity | None = None
        self._auto: ClockEvent | None = None

    # Read again when the purpose or an error changes (both msgids, never what the citizen typed).
    spoken_properties = ("title", "purpose_text", "error")

    def spoken_parts(self) -> list[str]:
        # Never the confirmed (masked) name or number: only what this screen asks for.
        return [self.title, _(self.purpose_text), _(self.error) if self.error else "",
                _("Place your ID card on the reader")]

    def on_enter_params(self, **params: Any) -> None:
        super().on_enter_params(**params)
        self.purpose_text = PURPOSES.get(params.get("purpose", ""), DEFAULT_PURPOSE)
        self._clear()

    def _clear(self) -> None:
        self._cancel_auto()
        self._pending = None
        self.has_identity = False
        self.confirmed_name = ""
        self.confirmed_id = ""
        self.error = ""
        self.ids.pad.value = ""
        # The typed name is personal data: it goes with the rest of the visit.
        self.ids.name_keyboard.clear()

    # -- the three ways --

    def on_card_placed(self, card: IdCard) -> None:
        if card.valid_to is not None and card.valid_to < date.today():
            self.error = N_("This ID card has expired. Please use a valid card or ask staff.")
            return
        self._offer(Identity(name=card.name, id_number=card.id_number, source="id_card", card=card))

    def on_card_removed(self) -> None:
        # A card lifted before its confirmation went on must not stand for anyone.
        if self._pending is not None and self._pending.source == "id_card":
            self._clear()

    def on_scan(self, payload: bytes) -> None:
        text = payload.decode("utf-8", "replace").strip()
        if not text:
            self.error = N_("The code could not be read. Please scan it again.")
            return
        self._offer(Identity(name="", id_number="", source="qr", qr_payload=text))

    def submit_typed(self) -> None:
        number = self.ids.pad.value.strip().upper()
        keyboard = self.ids.name_keyboard
        name = keyboard.finished_name()
        if len(number) != 18:
            self.error = N_("An ID number has 18 characters. Please check it.")
            return
        if not is_valid(number):
            self.error = N_("This ID number is not valid. Please check it and try again.")
            return
        if keyboard.letters:
            self.error = N_("Please touch the character you want in the row above the letters.")
            return
        if keyboard.has_strokes:
            self.error = N_("Please touch the character you wrote, beside the box.")
            return
        if not name:
            self.error = N_("Please enter your name as it appears on your ID card.")
            return
        self._offer(Identity(name=name, id_number=number, source="typed"))

    def _offer(self, identity: Identity) -> None:
        self._pending = identity
        self.error = ""
        self.has_identity = True
        if identity.source == "qr":
            self.confirmed_name = _("Code scanned")
            self.confirmed_id = ""
        else:
            self.confirmed_name = mask_name(identity.name)
            self.confirmed_id = mask_id_number(identity.id_number)
        self._cancel_auto()
        if self.auto_continue_s is not None:
            self._auto = Clock.schedule_once(lambda _dt: self.confirm(), self.auto_continue_s)

    def _cancel_auto(self) -> None:
        pending = getattr(self, "_auto", None)
        if pending is not None:
            pending.cancel()
        self._auto = None

    # -- confirming --

    def confirm(self) -> None:
        if self._pending is None:
            return
        self.app.session.identity = self._pending
        params = dict(self.params)
        target = params.pop("next", "home")
        params.pop("purpose", None)
        self._clear()
        self.app.go(target, **params)

    def retry(self) -> None:
        self._clear()

    def on_language(self, lang: str) -> None:
        if self._pending is not None and self._pending.source == "qr":
            self.confirmed_name = _("Code scanned")

    def reset_visit(self) -> None:
        super().reset_visit()
        self._clear()
