"""My bookings: show who you are (card, code or e-ID) → your bookings still to come → cancel one (with a
confirm step), or move it: the booking screen's own calendar and slots for its service → confirm the
new time → QR, check-in code and a slip that says which booking it replaces."""

from datetime import datetime
from typing import Any, ClassVar

from kivy.clock import Clock
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from hall_contract import Booking, HeldBooking, MovedBooking, Proof, Service, Slot
from kiosk.flows.booking import BookingFlow, slot_label_time
from kiosk.flows.my_bookings import MyBookingsFlow
from kiosk.flows.words import day_text, error_text
from kiosk.hall_client import HallError
from kiosk.i18n import N_, _
from kiosk.session import Identity
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.screens.booking import BookingScreen
from kiosk.ui.screens.flow_screen import ScrollList, row
from kiosk.ui.screens.proof_steps import ProofSteps, names_someone
from kiosk.ui.widgets.qr import QrCode

# Where the visit keeps what the hall answered (kiosk/session.py wipes it with the person).
LISTED = "my_bookings"
MOVED = "my_booking_moved"
# Refusals after which the list is out of date: it is asked for again, the reason said above it.
STALE = ("booking_not_found", "move_closed", "not_cancellable")


def when_text(booking: Booking) -> str:
    return span_text(booking.start, booking.end)


def span_text(start: datetime, end: datetime) -> str:
    """``11月26日 周四 09:00-09:30``, in the current language."""
    return f"{day_text(start.date())} {start:%H:%M}-{end:%H:%M}"


class MyBookingsScreen(ProofSteps, BookingScreen):
    step = StringProperty("list")
    title_msgid = N_("My bookings")
    back_steps: ClassVar[dict[str, str]] = {
        "cancel": "list", "day": "list", "slot": "day", "move_confirm": "slot",
        "code": "proof", "eid": "proof",
    }
    last_step = "moved"
    restarts_without_person = True
    proof_reason_msgid = N_("Your bookings are private, so a typed ID number cannot open them. "
                            "Please choose one:")
    card_steps: ClassVar[tuple[str, ...]] = ("list", "proof", "code", "eid")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._my_flow: MyBookingsFlow | None = None
        self.chosen_id: str | None = None
        self.booking_rows: dict[str, Any] = {}
        # When the booking a move replaced was: the moved step says it in the language of the moment.
        self.replaced_span: tuple[datetime, datetime] | None = None
        # When the booking cancelled last was: the list says so until another is chosen.
        self.cancelled_span: tuple[datetime, datetime] | None = None

    @property
    def my_flow(self) -> MyBookingsFlow:
        if self._my_flow is None:
            self._my_flow = MyBookingsFlow(self.app.hall, self.app.kiosk_config.hall.site)
        return self._my_flow

    @property
    def flow(self) -> BookingFlow:
        # The calendar and slots of the booking screen, with this flow's idempotency keys.
        return self.my_flow.booking

    @property
    def held(self) -> list[HeldBooking] | None:
        found = self.app.session.results.get(LISTED)
        return list(found) if found is not None else None

    @property
    def chosen(self) -> HeldBooking | None:
        return next((b for b in self.held or () if b.id == self.chosen_id), None)

    @property
    def moved(self) -> MovedBooking | None:
        found = self.app.session.results.get(MOVED)
        return found if isinstance(found, MovedBooking) else None

    # -- entering and leaving --

    def on_enter_params(self, **params: Any) -> None:
        KioskScreen.on_enter_params(self, **params)
        self.chosen_id = None
        self.cancelled_span = None
        self.print_outcome = None
        identity = self.app.session.identity
        if not names_someone(identity):
            # The bookings are personal: who is asking comes first.
            self.step = "list"
            self.clear_content()
            Clock.schedule_once(lambda _dt: self.app.go("identify", next=self.name, purpose="my_bookings"))
            return
        assert identity is not None
        proof = self.visit_proof(identity)
        if proof is None:
            # A typed ID number and name never open them: a code or an e-ID shows it is them.
            self.show("proof")
            return
        self.show("list")
        self.proven(identity, proof)

    def reset_visit(self) -> None:
        super().reset_visit()
        self.chosen_id = None
        self.booking_rows = {}
        self.replaced_span = self.cancelled_span = None
        if self.code_pad is not None:
            self.code_pad.value = ""
        self.code_pad = None
        self.step = "list"

    def restart(self) -> None:
        self.on_enter_params()

    def back(self) -> None:
        if self.step == "proof":
            self.app.go("home")
            return
        super().back()

    # -- the list --

    def proven(self, identity: Identity, proof: Proof) -> None:
        """Ask for the person's bookings with ``proof``; a refused proof offers the ways again."""

        def got(listed: list[HeldBooking]) -> None:
            self.keep_proof(proof)
            self.app.session.results[LISTED] = tuple(listed)
            self.show("list")

        self.call(lambda: self.my_flow.bookings(identity, proof, self.app.lang), got,
                  failed=self.proof_refused)

    def refresh(self, code: str | None = None) -> None:
        """The list again (after a change, or a refusal ``code`` that shows it was out of date, said
        above it)."""
        identity = self.app.session.identity
        proof = self.visit_proof(identity) if identity is not None else None
        if identity is None or proof is None:
            self.restart()
            return

        def got(listed: list[HeldBooking]) -> None:
            self.app.session.results[LISTED] = tuple(listed)
            self.show("list")
            if code:
                self.say_code(code)

        self.call(lambda: self.my_flow.bookings(identity, proof, self.app.lang), got,
                  failed=self.proof_refused)

    def _render_list(self) -> None:
        identity = self.app.session.identity
        held = self.held
        self.prompt = _("Your bookings")
        if self.cancelled_span is not None:
            # Said again at each render, so that it follows a language switch.
            self.say(_("Your booking of {when} has been cancelled.").format(
                when=span_text(*self.cancelled_span)), error=False)
        if identity is not None:
            self.content.add_widget(self.label(_("For {name} ({id_number})").format(
                name=identity.name_masked, id_number=identity.id_number_masked), color=self.app.theme.muted))
        self.booking_rows = {}
        if held is None:
            self.content.add_widget(Widget())
            return
        if not held:
            self.content.add_widget(self.label(_("You have no bookings to come."), role="large"))
            self.content.add_widget(Widget())
        self.booking_list = listing = ScrollList()
        for booking in held:
            self.booking_rows[booking.id] = listing.add(self._booking_row(booking))
        if held:
            self.content.add_widget(listing)
        self.new_booking_button = self.button(_("Book an appointment"), lambda: self.app.go("booking"),
                                              kind="secondary")
        self.finish_button = self.button(_("Finish"), self.finish, kind="quiet")
        self.content.add_widget(row(self.new_booking_button, self.finish_button,
                                    height=self.app.theme.button_h))

    def _booking_row(self, booking: HeldBooking) -> BoxLayout:
        theme = self.app.theme
        entry = BoxLayout(orientation="horizontal", spacing=theme.gap, size_hint_y=None,
                          height=theme.button_h * 2.9, padding=(0, 8))
        words = BoxLayout(orientation="vertical", spacing=4)
        words.add_widget(self.label(booking.service_name, role="large", bold=True))
        session = f" · {booking.session_name}" if booking.session_name else ""
        words.add_widget(self.label(f"{when_text(booking)}{session}"))
        words.add_widget(self.label(_("Check-in code: {code}").format(code=booking.check_in_code),
                                    color=theme.accent))
        if not booking.movable:
            words.add_widget(self.label(_("The time can no longer be changed."), color=theme.muted))
        actions = BoxLayout(orientation="vertical", spacing=8, size_hint_x=None, width=theme.button_h * 4.6)
        entry.move_button = self.button(_("Change time"), lambda: self.start_move(booking.id))
        entry.move_button.disabled = not booking.movable
        entry.cancel_button = self.button(_("Cancel booking"), lambda: self.ask_cancel(booking.id),
                                          kind="secondary")
        actions.add_widget(entry.move_button)
        actions.add_widget(entry.cancel_button)
        entry.add_widget(words)
        entry.add_widget(actions)
        return entry

    # -- cancelling --

    def ask_cancel(self, booking_id: str) -> None:
        self.chosen_id = booking_id
        self.cancelled_span = None
        self.show("cancel")

    def _render_cancel(self) -> None:
        booking = self.chosen
        if booking is None:
            self.show("list")
            return
        self.prompt = _("Cancel this booking?")
        for line in self._lines(booking, booking.session_name):
            self.content.add_widget(self.label(line, role="large"))
        self.content.add_widget(self.label(_("Its place is freed for others. This cannot be undone.")))
        self.content.add_widget(Widget())
        self.keep_button = self.button(_("Keep it"), lambda: self.show("list"), kind="secondary")
        self.confirm_cancel_button = self.button(_("Yes, cancel it"), self.cancel_chosen)
        self.content.add_widget(row(self.keep_button, self.confirm_cancel_button,
                                    height=self.app.theme.button_h * 1.3))

    def cancel_chosen(self) -> None:
        booking, identity = self.chosen, self.app.session.identity
        proof = self.visit_proof(identity) if identity is not None else None
        if booking is None or identity is None or proof is None:
            self.restart()
            return

        def done(_cancelled: Booking) -> None:
            self.chosen_id = None
            self.cancelled_span = (booking.start, booking.end)
            self.refresh()

        self.call(lambda: self.my_flow.cancel(booking, identity, proof, self.app.lang), done,
                  retry_offline=True, failed=self._refused)

    def _refused(self, exc: BaseException) -> bool:
        if self.proof_refused(exc):
            return True
        if isinstance(exc, HallError) and exc.code in STALE:
            self.refresh(exc.code)
            return True
        return False

    # -- moving: the booking screen's calendar and slots for the booking's service --

    def start_move(self, booking_id: str) -> None:
        self.chosen_id = booking_id
        self.cancelled_span = None
        booking = self.chosen
        if booking is None:
            return
        self.slot = None
        self.choose_service(Service.model_construct(code=booking.service_code, name=booking.service_name))

    def _render_slot(self) -> None:
        super()._render_slot()
        booking = self.chosen
        current = self.slot_buttons.get(booking.slot_id) if booking is not None else None
        if current is not None:
            # The booking's own time: moving there would change nothing.
            current.disabled = True
            yours = _("Your booking now")
            current.text = f"{current.text.split(chr(10))[0]}\n{yours}"

    def choose_slot(self, slot: Slot) -> None:
        self.slot = slot
        self.show("move_confirm")

    def _render_move_confirm(self) -> None:
        booking, slot = self.chosen, self.slot
        if booking is None or slot is None:
            self.show("list")
            return
        self.prompt = _("Change your booking to this time?")
        self.content.add_widget(self.label(_("Now: {when}").format(when=when_text(booking)), role="large",
                                           color=self.app.theme.muted))
        self.content.add_widget(self.label(_("New time:"), role="large", bold=True))
        for line in (
            _("Service: {value}").format(value=booking.service_name),
            _("Date: {value}").format(value=day_text(slot.start.date())),
            _("Session: {value}").format(value=slot.session_name),
            _("Time: {value}").format(value=slot_label_time(slot)),
        ):
            self.content.add_widget(self.label(line, role="large"))
        self.content.add_widget(self.label(
            _("You get a new check-in code and slip; the earlier ones no longer work.")))
        self.content.add_widget(Widget())
        self.confirm_move_button = self.button(_("Confirm the new time"), self.move_chosen)
        self.confirm_move_button.height = self.app.theme.button_h * 1.4
        self.content.add_widget(self.confirm_move_button)

    def move_chosen(self) -> None:
        booking, slot, identity = self.chosen, self.slot, self.app.session.identity
        proof = self.visit_proof(identity) if identity is not None else None
        if booking is None or slot is None or identity is None or proof is None:
            self.restart()
            return

        def refused(exc: BaseException) -> bool:
            code = getattr(exc, "code", "")
            if code in ("slot_full", "cutoff_passed", "same_slot", "duplicate_booking"):
                # The slot changed under us, or cannot take this booking: the fresh list with the reason.
                self.say_code(code)
                self.call(lambda: self.flow.slots(booking.service_code, slot.start.date(), self.app.lang),
                          self._refreshed_slots)
                return True
            return self._refused(exc)

        self.call(lambda: self.my_flow.move(booking, slot, identity, proof, self.app.lang),
                  lambda moved: self._moved(booking, moved), retry_offline=True, failed=refused)

    def _moved(self, replaced: HeldBooking, moved: MovedBooking) -> None:
        self.app.session.results[MOVED] = moved
        self.replaced_span = (replaced.start, replaced.end)
        self.print_outcome = None
        self.show("moved")
        self.app.run_task(
            self.my_flow.print_slip(self.app.devices, moved, replaced, hall_name=_(self.app.hall_name),
                                    lang=self.app.lang, on_unreachable=self.app.hall_unreachable),
            self._printed,
        )

    def _render_moved(self) -> None:
        moved = self.moved
        assert moved is not None
        self.prompt = _("Your booking has been moved")
        body = BoxLayout(orientation="horizontal", spacing=40)
        left = BoxLayout(orientation="vertical", spacing=12, size_hint_x=None, width=460)
        self.qr = QrCode(size_hint=(None, None), size=(420, 420))
        self.qr.data = moved.qr_payload
        left.add_widget(self.qr)
        left.add_widget(self.label(_("Check-in code"), halign="center"))
        self.code_label = self.label(moved.check_in_code, role="huge", halign="center", bold=True)
        left.add_widget(self.code_label)
        right = BoxLayout(orientation="vertical", spacing=12)
        for line in self._lines(moved, moved.session_name):
            right.add_widget(self.label(line, role="large"))
        replaced = _("It replaces your booking of {when}: its slip and check-in code no longer work.")
        if self.replaced_span is not None:
            when = span_text(*self.replaced_span)
            right.add_widget(self.label(replaced.format(when=when), color=self.app.theme.accent))
        outcome = self.print_outcome
        if outcome is None:
            status, failed = _("Printing your booking slip…"), False
        elif outcome.printed:
            status, failed = _("Your booking slip has been printed. Please take it."), False
        else:
            status = _("The slip could not be printed: {reason} Please photograph the QR code or note the "
                       "check-in code.").format(reason=error_text(outcome.reason))
            failed = True
        self.print_label = self.label(status, role="large",
                                      color=self.app.theme.error if failed else self.app.theme.ok)
        right.add_widget(self.print_label)
        right.add_widget(Widget())
        self.back_to_list_button = self.button(_("Back to my bookings"), lambda: self.refresh(),
                                               kind="secondary")
        self.finish_button = self.button(_("Finish"), self.finish)
        right.add_widget(row(self.back_to_list_button, self.finish_button, height=self.app.theme.button_h))
        body.add_widget(left)
        body.add_widget(right)
        self.content.add_widget(body)

    def _lines(self, booking: Booking, session_name: str) -> list[str]:
        lines = [
            _("Service: {value}").format(value=booking.service_name),
            _("Date: {value}").format(value=day_text(booking.start.date())),
            _("Session: {value}").format(value=session_name) if session_name else "",
            _("Time: {value}").format(value=f"{booking.start:%H:%M}-{booking.end:%H:%M}"),
            _("Where: {value}").format(value=booking.where) if booking.where else "",
        ]
        return [line for line in lines if line]

    # -- language and the end --

    def on_language(self, lang: str) -> None:
        # Service and session names come from the hall in the citizen's language.
        self.render()
        identity = self.app.session.identity
        if self.app.current_screen != self.name or identity is None:
            return
        proof = self.visit_proof(identity)
        if proof is not None and self.step not in ("proof", "code", "eid"):
            # The list names the services (and the moved booking's session) in the new language.
            self.fetch_in_language("list", lang, lambda: self.my_flow.bookings(identity, proof, lang),
                                   self._relabel_list)
        if self.step == "day" and self.month_view is not None:
            year, month = self.year, self.month
            self.fetch_in_language("month", lang, lambda: self.flow.month(year, month, lang),
                                   self._relabel_month)
        if self.step in ("slot", "move_confirm") and self.day is not None and self.service is not None:
            code, day = self.service.code, self.day.date
            self.fetch_in_language("slots", lang, lambda: self.flow.slots(code, day, lang),
                                   self._relabel_slots)

    def _relabel_list(self, listed: list[HeldBooking]) -> None:
        self.app.session.results[LISTED] = tuple(listed)
        chosen = self.chosen
        if chosen is not None and self.service is not None:
            self.service = Service.model_construct(code=chosen.service_code, name=chosen.service_name)
        moved = self.moved
        fresh = next((b for b in listed if moved is not None and b.id == moved.id), None)
        if moved is not None and fresh is not None:
            # Only the words change: the QR, the code and the slip already printed stay as they are.
            self.app.session.results[MOVED] = moved.model_copy(update={
                "service": fresh.service, "where": fresh.where, "session_name": fresh.session_name})
        self.render()

    def finish(self) -> None:
        moved = self.moved
        subject = {"type": "booking", "id": moved.id} if moved is not None else {
            "type": "kiosk_transaction", "id": f"my-bookings-{self.app.session.visit_id[:12]}"}
        self.app.finish_transaction(subject)
