"""Booking screen: service (search by initials) → month calendar with sessions and holidays →
slots with places left → confirm with the visit's identity → QR on screen and the printed slip.
"""

from datetime import date
from functools import partial
from typing import Any, ClassVar

from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from hall_contract import Booking, Service, Slot
from kiosk.flows.booking import BookingFlow, slot_groups, slot_label_time
from kiosk.flows.calendar_view import DayView, MonthView, cell_kind, cell_text, legend, paged
from kiosk.flows.words import WEEKDAYS, day_text, error_text, slot_reason_text
from kiosk.i18n import N_, _
from kiosk.ui.screens.flow_screen import ScrollList, row
from kiosk.ui.screens.service_search import ServiceSearchScreen
from kiosk.ui.widgets.qr import QrCode


class DayCell(Button):
    """One day of the month: its number, its sessions or holiday; greyed when not bookable."""

    kind = StringProperty("closed")  # open | evening | morning | holiday | closed | past | unconfirmed


class BookingScreen(ServiceSearchScreen):
    step = StringProperty("service")
    title_msgid = N_("Book an appointment")
    back_steps: ClassVar[dict[str, str]] = {"day": "service", "slot": "day", "confirm": "slot"}
    last_step = "done"
    restarts_without_person = True
    no_match_msgid = N_("No bookable service matches these letters.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._flow: BookingFlow | None = None
        self.year = 0
        self.month = 0
        self.month_view: MonthView | None = None
        self.day_cells: dict[date, DayCell] = {}
        self.day: DayView | None = None
        self.slots: list[Slot] = []
        self.slot_buttons: dict[str, Any] = {}
        self.slot: Slot | None = None
        self.booking: Any = None
        self.print_outcome: Any = None
        self.awaiting_identity = False

    @property
    def flow(self) -> BookingFlow:
        if self._flow is None:
            self._flow = BookingFlow(self.app.hall, self.app.kiosk_config.hall.site)
        return self._flow

    # -- entering and leaving --

    def on_enter_params(self, **params: Any) -> None:
        super().on_enter_params(**params)
        if self.awaiting_identity and self.app.session.identity is not None and self.slot is not None:
            self.awaiting_identity = False
            self.show("confirm")
            return
        self.start()

    def start(self) -> None:
        self.awaiting_identity = False
        if self.keyboard is not None:
            self.keyboard.value = ""
        self.service = self.day = self.slot = self.booking = self.print_outcome = None
        self.catalogue = None
        self.say("")
        self.show("service")
        self.load_services()

    def reset_visit(self) -> None:
        super().reset_visit()
        if self._flow is not None:
            # A key kept for an unanswered action belongs to that citizen's visit only.
            self._flow.keys.clear()
        self.awaiting_identity = False
        self.service = self.day = self.slot = self.booking = self.print_outcome = None
        self.slots = []
        self.step = "service"

    def on_language(self, lang: str) -> None:
        # Service, session, place and holiday names come from the hall in the citizen's language.
        self.render()
        if self.app.current_screen != self.name:
            return
        if self.step == "done" and self.booking is not None:
            booking_id = self.booking.id
            self.fetch_in_language(
                "booking", lang, lambda: self.app.hall.call(self.app.hall.get_booking, booking_id, lang),
                self._relabel_booking,
            )
        elif self.step != "done":
            self.relabel_services(lang)
        if self.step == "day" and self.month_view is not None:
            year, month = self.year, self.month
            self.fetch_in_language(
                "month", lang, lambda: self.flow.month(year, month, lang), self._relabel_month
            )
        if self.step in ("slot", "confirm", "done") and self.day is not None and self.service is not None:
            code, day = self.service.code, self.day.date
            self.fetch_in_language(
                "slots", lang, lambda: self.flow.slots(code, day, lang), self._relabel_slots
            )

    def _relabel_month(self, view: MonthView) -> None:
        if self.step == "day" and (view.year, view.month) == (self.year, self.month):
            self.month_view = view
            self.render()

    def _relabel_slots(self, slots: list[Slot]) -> None:
        """The day's slots with their session names in the new language; the chosen one is kept."""
        chosen = self.slot
        self.slots = slots
        if chosen is not None:
            self.slot = next((s for s in slots if s.id == chosen.id), chosen)
        self.render()

    def _relabel_booking(self, fresh: Booking) -> None:
        """The booking in the new language: only its service's name and place are taken; the QR,
        the check-in code and the slip already printed stay as they are."""
        booking = self.booking
        if booking is None or fresh.id != booking.id:
            return
        self.booking = booking.model_copy(update={"service": fresh.service, "where": fresh.where})
        if self.step == "done":
            self.render()

    # -- step 1: service --

    def _render_service(self) -> None:
        self.prompt = _("Choose the service to book")
        body = BoxLayout(orientation="horizontal", spacing=24)
        left = BoxLayout(orientation="vertical", spacing=12, size_hint_x=0.55)
        self.service_list = ScrollList()
        left.add_widget(self.service_list)
        body.add_widget(left)
        body.add_widget(self.search_panel(size_hint_x=0.45))
        self.content.add_widget(body)
        self.fill_services()

    def lists(self, service: Service) -> bool:
        return service.bookable

    def choose_service(self, service: Service) -> None:
        self.service = service
        today = self.app.hall.now().date()
        self.year, self.month = today.year, today.month
        self.load_month()

    # -- step 2: day --

    def load_month(self) -> None:
        self.call(lambda: self.flow.month(self.year, self.month, self.app.lang), self._got_month)

    def _got_month(self, view: MonthView) -> None:
        self.month_view = view
        self.show("day")

    def page_month(self, step: int) -> None:
        # From the hall's today's month to the month of the last day it takes bookings for.
        target = paged(self.month_view, step) if self.month_view is not None else None
        if target is not None:
            self.year, self.month = target
            self.load_month()

    def _render_day(self) -> None:
        view = self.month_view
        assert view is not None and self.service is not None
        self.prompt = _("{service}: choose a day").format(service=self.service.name)
        body = BoxLayout(orientation="horizontal", spacing=28)
        calendar_box = BoxLayout(orientation="vertical", spacing=8, size_hint_x=0.68)
        header = row(
            self.button("◀", lambda: self.page_month(-1), kind="secondary", size_hint_x=None, width=120),
            self.label(_("{year}-{month:02d}").format(year=view.year, month=view.month), role="title",
                       halign="center"),
            self.button("▶", lambda: self.page_month(1), kind="secondary", size_hint_x=None, width=120),
            height=self.app.theme.button_h,
        )
        self.prev_month_button, _title, self.next_month_button = header.children[::-1]
        self.prev_month_button.disabled = not view.can_go_back
        self.next_month_button.disabled = not view.can_go_on
        calendar_box.add_widget(header)
        grid = GridLayout(cols=7, spacing=6)
        for name in WEEKDAYS:
            grid.add_widget(self.label(_(name), halign="center", color=self.app.theme.muted))
        self.day_cells = {}
        for week in view.weeks:
            for cell in week:
                if cell is None:
                    grid.add_widget(Widget())
                    continue
                widget = DayCell(text=cell_text(cell), kind=cell_kind(cell))
                widget.disabled = not cell.open
                widget.bind(on_release=partial(self._day_pressed, cell))
                self.day_cells[cell.date] = widget
                grid.add_widget(widget)
        calendar_box.add_widget(grid)
        side = BoxLayout(orientation="vertical", spacing=14, size_hint_x=0.32)
        side.add_widget(self.label(_("How booking works"), role="large", bold=True))
        for line in legend(view):
            side.add_widget(self.label(line))
        side.add_widget(Widget())
        body.add_widget(calendar_box)
        body.add_widget(side)
        self.content.add_widget(body)

    def _day_pressed(self, cell: DayView, *_args: Any) -> None:
        self.choose_day(cell)

    def choose_day(self, cell: DayView) -> None:
        self.day = cell
        assert self.service is not None
        self.call(lambda: self.flow.slots(self.service.code, cell.date, self.app.lang), self._got_slots)

    # -- step 3: slot --

    def _got_slots(self, slots: list[Slot]) -> None:
        self.slots = slots
        self.show("slot")

    def _render_slot(self) -> None:
        assert self.day is not None and self.service is not None
        self.prompt = _("{service}, {day}: choose a time").format(
            service=self.service.name, day=day_text(self.day.date)
        )
        self.slot_list = listing = ScrollList()
        self.slot_buttons = {}
        if not self.slots:
            listing.add(self.label(_("There are no times to book on this day.")))
        for heading, slots in slot_groups(self.slots, self.day):
            listing.add(self.label(heading, role="large", bold=True))
            grid = GridLayout(cols=4, spacing=10, size_hint_y=None)
            grid.bind(minimum_height=grid.setter("height"))
            for slot in slots:
                if slot.bookable:
                    state = _("{remaining} of {capacity} places left").format(
                        remaining=slot.remaining, capacity=slot.capacity)
                else:
                    state = slot_reason_text(slot.reason, slot.booking_cutoff)
                small = int(self.app.theme.font_small)
                button = self.button(f"{slot_label_time(slot)}\n[size={small}]{state}[/size]",
                                     partial(self.choose_slot, slot), font_size=self.app.theme.font_body,
                                     markup=True)
                button.height = self.app.theme.button_h * 1.7
                button.disabled = not slot.bookable
                self.slot_buttons[slot.id] = button
                grid.add_widget(button)
            listing.add(grid)
        self.content.add_widget(listing)

    def choose_slot(self, slot: Slot) -> None:
        self.slot = slot
        self.show("confirm")

    # -- step 4: confirm --

    def _render_confirm(self) -> None:
        assert self.slot is not None and self.service is not None and self.day is not None
        self.prompt = _("Please check and confirm your booking")
        identity = self.app.session.identity
        lines = [
            _("Service: {value}").format(value=self.service.name),
            _("Date: {value}").format(value=day_text(self.day.date)),
            _("Session: {value}").format(value=self.slot.session_name),
            _("Time: {value}").format(value=slot_label_time(self.slot)),
        ]
        if identity is not None:
            lines.append(_("Name: {value}").format(value=identity.name_masked))
            lines.append(_("ID number: {value}").format(value=identity.id_number_masked))
        for line in lines:
            self.content.add_widget(self.label(line, role="large"))
        self.content.add_widget(Widget())
        if identity is None:
            self.confirm_button = self.button(_("Identify yourself to confirm"), self.identify)
        else:
            self.confirm_button = self.button(_("Confirm booking"), self.confirm)
        self.confirm_button.height = self.app.theme.button_h * 1.4
        self.content.add_widget(self.confirm_button)

    def identify(self) -> None:
        self.awaiting_identity = True
        self.app.go("identify", next="booking", purpose="booking")

    def confirm(self) -> None:
        identity = self.app.session.identity
        assert identity is not None and self.slot is not None and self.service is not None
        service, slot = self.service.code, self.slot

        def refused(exc: BaseException) -> bool:
            code = getattr(exc, "code", "")
            if code in ("slot_full", "cutoff_passed"):
                # The slot changed under us: show the fresh list with the reason.
                self.say_code(code)
                assert self.day is not None
                self.call(lambda: self.flow.slots(service, slot.start.date(), self.app.lang),
                          self._refreshed_slots)
                return True
            return False

        self.call(
            lambda: self.flow.confirm(service, slot, identity, self.app.lang), self._booked,
            retry_offline=True, failed=refused,
        )

    def _refreshed_slots(self, slots: list[Slot]) -> None:
        code = self._message_code
        self._got_slots(slots)
        self.say_code(code)

    # -- step 5: done --

    def _booked(self, booking: Any) -> None:
        self.booking = booking
        self.app.session.booking = {"id": booking.id, "check_in_code": booking.check_in_code}
        self.print_outcome = None
        self.show("done")
        self.app.run_task(
            self.flow.print_slip(
                self.app.devices, booking, hall_name=_(self.app.hall_name), lang=self.app.lang,
                on_unreachable=self.app.hall_unreachable,
                session_name=self.slot.session_name if self.slot is not None else "",
            ),
            self._printed,
        )

    def _render_done(self) -> None:
        booking = self.booking
        assert booking is not None
        self.prompt = _("Your booking is confirmed")
        body = BoxLayout(orientation="horizontal", spacing=40)
        left = BoxLayout(orientation="vertical", spacing=12, size_hint_x=None, width=460)
        self.qr = QrCode(size_hint=(None, None), size=(420, 420))
        self.qr.data = booking.qr_payload
        left.add_widget(self.qr)
        left.add_widget(self.label(_("Check-in code"), halign="center"))
        self.code_label = self.label(booking.check_in_code, role="huge", halign="center", bold=True)
        left.add_widget(self.code_label)
        right = BoxLayout(orientation="vertical", spacing=12)
        for line in (
            _("Service: {value}").format(value=booking.service_name),
            _("Date: {value}").format(value=day_text(booking.start.date())),
            _("Session: {value}").format(value=self.slot.session_name) if self.slot is not None else "",
            _("Time: {value}").format(value=f"{booking.start:%H:%M}-{booking.end:%H:%M}"),
            _("Where: {value}").format(value=booking.where) if booking.where else "",
        ):
            if line:
                right.add_widget(self.label(line, role="large"))
        outcome = self.print_outcome
        if outcome is None:
            status, error = _("Printing your booking slip…"), False
        elif outcome.printed:
            status, error = _("Your booking slip has been printed. Please take it."), False
        else:
            status = _("The slip could not be printed: {reason} Please photograph the QR code or note the "
                       "check-in code.").format(reason=error_text(outcome.reason))
            error = True
        self.print_label = self.label(status, role="large",
                                      color=self.app.theme.error if error else self.app.theme.ok)
        right.add_widget(self.print_label)
        right.add_widget(self.label(_("On the day, scan the QR code, type the check-in code or place your ID "
                                      "card at a kiosk to check in and get your number.")))
        right.add_widget(Widget())
        self.finish_button = self.button(_("Finish"), self.finish)
        right.add_widget(self.finish_button)
        body.add_widget(left)
        body.add_widget(right)
        self.content.add_widget(body)

    def finish(self) -> None:
        booking = self.booking
        self.app.finish_transaction({"type": "booking", "id": booking.id} if booking else None)
