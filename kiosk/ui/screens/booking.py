"""Booking screen: service (search by initials) → month calendar with sessions and holidays →
slots with places left → confirm with the visit's identity → QR on screen and the printed slip.
"""

from dataclasses import replace
from datetime import date
from functools import partial
from typing import Any, ClassVar

from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.flows.booking import BookingFlow, slot_label_time
from kiosk.flows.calendar_view import DayView, MonthView, next_month
from kiosk.flows.words import (
    WEEKDAYS,
    cutoff_text,
    day_text,
    error_text,
    session_name,
    slot_reason_text,
)
from kiosk.hall_models import Booking, Service, Slot
from kiosk.i18n import N_, _
from kiosk.ui.screens.flow_screen import ScrollList, ServiceSearchScreen, row
from kiosk.ui.widgets.qr import QrCode

# How far ahead a citizen may page the calendar (months after the current one).
MONTHS_AHEAD = 2


class DayCell(Button):
    """One day of the month: its number, its sessions or holiday; greyed when not bookable."""

    kind = StringProperty("closed")  # open | evening | morning | holiday | closed | past | unconfirmed


class BookingScreen(ServiceSearchScreen):
    step = StringProperty("service")
    title_msgid = N_("Book an appointment")
    back_steps: ClassVar[dict[str, str]] = {"day": "service", "slot": "day", "confirm": "slot"}
    last_step = "done"
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

    def today(self) -> date:
        return self.app.hall.now().date()

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
        # Service names, places and holiday names come from the hall in the citizen's language.
        self.render()
        if self.app.current_screen != self.name:
            return
        if self.step == "done":
            if self.booking is not None:
                booking_id = self.booking.id
                self.fetch_in_language(
                    "booking", lang, lambda: self.app.hall.get_booking_async(booking_id, lang),
                    self._relabel_booking,
                )
            return
        self.relabel_services(lang)
        if self.step == "day" and self.month_view is not None:
            today, year, month = self.today(), self.year, self.month
            self.fetch_in_language(
                "month", lang, lambda: self.flow.month(year, month, today, lang), self._relabel_month
            )

    def _relabel_month(self, view: MonthView) -> None:
        if self.step == "day" and (view.year, view.month) == (self.year, self.month):
            self.month_view = view
            self.render()

    def _relabel_booking(self, fresh: Booking) -> None:
        """The booking in the new language: only its service's name and place are taken; the QR,
        the check-in code and the slip already printed stay as they are."""
        booking = self.booking
        if booking is None or fresh.id != booking.id:
            return
        self.booking = replace(booking, service_name=fresh.service_name, where=fresh.where)
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
        today = self.today()
        self.year, self.month = today.year, today.month
        self.load_month()

    # -- step 2: day --

    def load_month(self) -> None:
        today = self.today()
        self.call(
            lambda: self.flow.month(self.year, self.month, today, self.app.lang), self._got_month
        )

    def _got_month(self, view: MonthView) -> None:
        self.month_view = view
        self.show("day")

    def page_month(self, step: int) -> None:
        today = self.today()
        year, month = next_month(self.year, self.month, step)
        first_allowed = (today.year, today.month)
        last_allowed = next_month(today.year, today.month, MONTHS_AHEAD)
        if first_allowed <= (year, month) <= last_allowed:
            self.year, self.month = year, month
            self.load_month()

    def _render_day(self) -> None:
        view = self.month_view
        assert view is not None and self.service is not None
        self.prompt = _("{service}: choose a day").format(service=self.service.name)
        today = self.today()
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
        self.prev_month_button.disabled = (view.year, view.month) <= (today.year, today.month)
        self.next_month_button.disabled = (view.year, view.month) >= next_month(
            today.year, today.month, MONTHS_AHEAD
        )
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
                widget = DayCell(text=self._cell_text(cell), kind=self._cell_kind(cell))
                widget.disabled = not cell.open
                widget.bind(on_release=partial(self._day_pressed, cell))
                self.day_cells[cell.date] = widget
                grid.add_widget(widget)
        calendar_box.add_widget(grid)
        legend = BoxLayout(orientation="vertical", spacing=14, size_hint_x=0.32)
        legend.add_widget(self.label(_("How booking works"), role="large", bold=True))
        for line in self._legend(view):
            legend.add_widget(self.label(line))
        legend.add_widget(Widget())
        body.add_widget(calendar_box)
        body.add_widget(legend)
        self.content.add_widget(body)

    def _day_pressed(self, cell: DayView, *_args: Any) -> None:
        self.choose_day(cell)

    def _cell_kind(self, cell: DayView) -> str:
        if cell.past:
            return "past"
        if cell.holiday:
            return "holiday"
        if not cell.sessions:
            return "closed"
        if not cell.confirmed:
            return "unconfirmed"
        if cell.has_evening:
            return "evening"
        if cell.has_morning:
            return "morning"
        return "open"

    def _cell_text(self, cell: DayView) -> str:
        lines = [str(cell.date.day)]
        if cell.holiday:
            lines.append(cell.holiday)
        elif cell.past:
            pass
        elif not cell.sessions:
            lines.append(_("Closed"))
        else:
            if cell.has_evening:
                mark = _("Evening")
            elif cell.has_morning:
                mark = _("Morning")
            else:
                mark = _("Open")
            if not cell.confirmed:
                # A third line would be cut off in elderly mode: the session joins the day's number.
                return f"{cell.date.day} {mark}\n{_('Unconfirmed')}"
            lines.append(mark)
        return "\n".join(lines)

    def _legend(self, view: MonthView) -> list[str]:
        """The sessions of this month and their cut-offs, in words, from the hall's own data."""
        seen: dict[str, str] = {}
        unconfirmed = False
        for week in view.weeks:
            for cell in week:
                if cell is None:
                    continue
                unconfirmed = unconfirmed or (not cell.confirmed and bool(cell.sessions))
                for session in cell.sessions:
                    if session.kind in seen or session.kind == "regular" or session.booking_cutoff is None:
                        continue
                    seen[session.kind] = _("{session} {start}-{end}: {cutoff}").format(
                        session=session_name(session.kind), start=session.start, end=session.end,
                        cutoff=cutoff_text(cell.date, session.booking_cutoff),
                    )
        lines = list(seen.values())
        lines.append(_("Regular hours: each time closes for booking 30 minutes before it starts."))
        lines.append(_("Grey days are closed: weekends, public holidays, or already past."))
        if unconfirmed:
            lines.append(
                _("Unconfirmed: next year's public holidays are not announced yet; those days may change.")
            )
        return lines

    def choose_day(self, cell: DayView) -> None:
        self.day = cell
        assert self.service is not None
        self.call(lambda: self.flow.slots(self.service.code, cell.date), self._got_slots)

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
        sessions: dict[str, list[Slot]] = {}
        for slot in self.slots:
            sessions.setdefault(slot.session, []).append(slot)
        for kind, slots in sessions.items():
            session = next((s for s in self.day.sessions if s.kind == kind), None)
            heading = session_name(kind)
            if session is not None:
                heading = f"{heading} {session.start}-{session.end}"
                first = slots[0]
                if kind == "regular" and first.booking_cutoff is not None:
                    # Each regular time closes on its own, a fixed lead before it starts.
                    lead = int((first.start - first.booking_cutoff).total_seconds() // 60)
                    heading += " · " + _("each time closes {minutes} minutes before it starts").format(
                        minutes=lead)
                elif session.booking_cutoff is not None:
                    heading += " · " + cutoff_text(self.day.date, session.booking_cutoff)
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
            _("Session: {value}").format(value=session_name(self.slot.session)),
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
                self.call(lambda: self.flow.slots(service, slot.start.date()), self._refreshed_slots)
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
            _("Session: {value}").format(value=session_name(booking.session)),
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
        right.add_widget(self.label(_("On the day, scan the QR code or place your ID card at a kiosk to "
                                      "check in and get your number.")))
        right.add_widget(Widget())
        self.finish_button = self.button(_("Finish"), self.finish)
        right.add_widget(self.finish_button)
        body.add_widget(left)
        body.add_widget(right)
        self.content.add_widget(body)

    def finish(self) -> None:
        booking = self.booking
        self.app.finish_transaction({"type": "booking", "id": booking.id} if booking else None)
