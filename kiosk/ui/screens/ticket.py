"""Ticket screen: a walk-in ticket for a service (priority asked plainly) or the check-in of a
booking by QR, ID card or typed check-in code → the printed ticket; when printing fails, the
tracking QR on screen.
"""

from functools import partial
from typing import Any, ClassVar

from kivy.properties import StringProperty
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from hall_contract import Service, Ticket
from kiosk.flows.priority import priority_words
from kiosk.flows.ticket import PRIORITIES, NotABookingCode, TicketFlow
from kiosk.flows.words import error_text, wait_text
from kiosk.i18n import N_, _
from kiosk.session import Identity
from kiosk.ui.screens.flow_screen import ScrollList
from kiosk.ui.screens.service_search import ServiceSearchScreen
from kiosk.ui.widgets.numeric_pad import NumericPad
from kiosk.ui.widgets.qr import QrCode

# The check-in code printed on the booking slip.
CHECK_IN_CODE_LENGTH = 6


class TicketScreen(ServiceSearchScreen):
    step = StringProperty("service")
    title_msgid = N_("Take a ticket")
    back_steps: ClassVar[dict[str, str]] = {"priority": "service", "check_in": "service"}
    last_step = "done"
    restarts_without_person = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._flow: TicketFlow | None = None
        self.priority_buttons: dict[str | None, Any] = {}
        self.ticket: Ticket | None = None
        self.print_outcome: Any = None
        self.awaiting_identity = False
        self.code_pad: NumericPad | None = None

    @property
    def flow(self) -> TicketFlow:
        if self._flow is None:
            self._flow = TicketFlow(self.app.hall)
        return self._flow

    def on_enter_params(self, **params: Any) -> None:
        super().on_enter_params(**params)
        if self.awaiting_identity and self.app.session.identity is not None:
            self.awaiting_identity = False
            self.show("check_in")
            self.check_in_with_identity()
            return
        self.start()

    def start(self) -> None:
        self.awaiting_identity = False
        self.code_pad = None
        if self.keyboard is not None:
            self.keyboard.value = ""
        self.service = self.ticket = self.print_outcome = None
        self.catalogue = None
        self.show("service")
        self.load_services()

    def reset_visit(self) -> None:
        super().reset_visit()
        if self._flow is not None:
            # A key kept for an unanswered action belongs to that citizen's visit only.
            self._flow.keys.clear()
        self.awaiting_identity = False
        # A typed check-in code belongs to that citizen's visit only.
        self.code_pad = None
        self.service = self.ticket = self.print_outcome = None
        self.step = "service"

    def on_language(self, lang: str) -> None:
        self.render()
        if self.app.current_screen != self.name:
            return
        # Service names and where to go come from the hall in the citizen's language.
        if self.step in ("service", "priority"):
            self.relabel_services(lang)
        elif self.step == "done" and self.ticket is not None:
            ticket_id = self.ticket.id
            self.fetch_in_language(
                "ticket", lang, lambda: self.app.hall.call(self.app.hall.get_ticket, ticket_id, lang),
                self._relabel_ticket,
            )

    def _relabel_ticket(self, fresh: Ticket) -> None:
        """The issued ticket in the new language. Its number and tracking QR stay as printed; how
        many are ahead is fresher, so it is taken too."""
        ticket = self.ticket
        if ticket is None or fresh.id != ticket.id:
            return
        self.ticket = ticket.model_copy(update={
            "service": fresh.service, "where": fresh.where, "counter": fresh.counter, "status": fresh.status,
            "people_ahead": fresh.people_ahead, "estimated_wait_s": fresh.estimated_wait_s,
        })
        if self.step == "done":
            self.render()

    # -- choose a service, or check in --

    def _render_service(self) -> None:
        self.prompt = _("Choose your service, or check in for a booking")
        self.check_in_button = self.button(
            _("I have a booking: check in"), lambda: self.show("check_in"), kind="secondary"
        )
        self.check_in_button.height = self.app.theme.button_h * 1.3
        self.content.add_widget(self.check_in_button)
        body = BoxLayout(orientation="horizontal", spacing=24)
        self.service_list = ScrollList(size_hint_x=0.55)
        body.add_widget(self.service_list)
        body.add_widget(self.search_panel(size_hint_x=0.45))
        self.content.add_widget(body)
        self.fill_services()

    def lists(self, service: Service) -> bool:
        return bool(service.queue)

    def choose_service(self, service: Service) -> None:
        self.service = service
        self.show("priority")

    # -- priority, asked plainly --

    def _render_priority(self) -> None:
        assert self.service is not None
        self.prompt = _("{service}: does any of these apply to you?").format(service=self.service.name)
        self.content.add_widget(
            self.label(_("People in these groups are served first (green channel). Staff may ask for proof."))
        )
        self.priority_buttons = {}
        for code, label in PRIORITIES.items():
            button = self.button(_(label), partial(self.take, code), kind="secondary")
            button.height = self.app.theme.button_h * 1.25
            self.priority_buttons[code] = button
            self.content.add_widget(button)
        none = self.button(_("None of these: take a normal ticket"), partial(self.take, None))
        none.height = self.app.theme.button_h * 1.4
        self.priority_buttons[None] = none
        self.content.add_widget(Widget())
        self.content.add_widget(none)

    def take(self, priority: str | None) -> None:
        assert self.service is not None
        code = self.service.code
        self.call(lambda: self.flow.walk_in(code, priority, self.app.lang), self._issued, retry_offline=True)

    # -- check-in for a booking --

    def _render_check_in(self) -> None:
        self.prompt = _("Check in for your booking")
        body = BoxLayout(orientation="horizontal", spacing=40)
        left = BoxLayout(orientation="vertical", spacing=12)
        for line in (
            _("Scan the QR code of your booking on the scanner below the screen,"),
            _("or place your ID card on the reader."),
            _("Or type the 6-digit check-in code of your booking on the keys."),
        ):
            left.add_widget(self.label(line, role="large"))
        left.add_widget(Widget())
        self.id_card_button = self.button(_("Check in with my ID card"), self.check_in_with_identity)
        left.add_widget(self.id_card_button)
        body.add_widget(left)
        body.add_widget(self._code_panel())
        self.content.add_widget(body)

    def _code_panel(self) -> BoxLayout:
        """The check-in code printed on the booking slip, typed on a pad; what is typed survives a
        rebuild of the step (a language switch)."""
        typed = self.code_pad.value if self.code_pad is not None else ""
        theme = self.app.theme
        pad = self.code_pad = NumericPad(allow_x=False, max_length=CHECK_IN_CODE_LENGTH, value=typed)
        panel = BoxLayout(orientation="vertical", spacing=12, size_hint_x=None)
        self.code_field = self.label("", role="title", halign="center", bold=True, size_hint_y=None,
                                     height=theme.button_h)
        self.code_button = self.button(_("Check in with this code"), self.check_in_with_code)
        holder = AnchorLayout()
        holder.add_widget(pad)
        for widget in (self.code_field, holder, self.code_button):
            panel.add_widget(widget)

        def typed_changed(*_args: Any) -> None:
            value = pad.value
            self.code_field.text = value or _("Check-in code")
            self.code_field.color = theme.text if value else theme.muted
            self.code_button.disabled = len(value) != CHECK_IN_CODE_LENGTH

        def retyped(*_args: Any) -> None:
            # A refusal spoke of the code typed before.
            if not self.busy:
                self.say("")

        pad.bind(value=typed_changed)
        pad.bind(value=retyped)
        typed_changed()
        # The panel as wide as the pad, which takes its width from its height.
        pad.bind(width=lambda _p, width: setattr(panel, "width", max(width, theme.button_h * 4)))
        panel.width = max(pad.width, theme.button_h * 4)
        return panel

    def check_in_with_code(self) -> None:
        code = self.code_pad.value if self.code_pad is not None else ""
        if len(code) != CHECK_IN_CODE_LENGTH:
            return
        self.call(lambda: self.flow.check_in_code(code, self.app.lang), self._issued, retry_offline=True)

    def check_in_with_identity(self) -> None:
        identity = self.app.session.identity
        if identity is None:
            self.awaiting_identity = True
            self.app.go("identify", next="ticket", purpose="check_in")
            return
        self.call(
            lambda: self.flow.check_in_identity(identity, self.app.lang), self._issued, retry_offline=True
        )

    def on_card_placed(self, card: Any) -> None:
        if self.step not in ("service", "check_in"):
            return
        self.app.session.identity = Identity(
            name=card.name, id_number=card.id_number, source="id_card", card=card
        )
        self.step = "check_in"
        self.render()
        self.check_in_with_identity()

    def on_scan(self, payload: bytes) -> None:
        if self.step not in ("service", "check_in"):
            return
        if self.step != "check_in":
            self.show("check_in")
        self.call(partial(self.flow.check_in_qr, payload, self.app.lang), self._issued, retry_offline=True,
                  failed=self._not_a_booking)

    def _not_a_booking(self, exc: BaseException) -> bool:
        if isinstance(exc, NotABookingCode):
            self.say(_("This code is not a booking QR code."))
            return True
        return False

    # -- the ticket --

    def _issued(self, ticket: Ticket) -> None:
        self.ticket = ticket
        self.app.session.ticket = {"id": ticket.id, "number": ticket.number}
        self.print_outcome = None
        self.show("done")
        printing = self.flow.print_ticket(
            self.app.devices, ticket, hall_name=_(self.app.hall_name), lang=self.app.lang
        )
        self.app.run_task(printing, self._printed)

    def _render_done(self) -> None:
        ticket = self.ticket
        assert ticket is not None
        self.prompt = _("Your number")
        body = BoxLayout(orientation="horizontal", spacing=40)
        left = BoxLayout(orientation="vertical", spacing=12)
        self.number_label = self.label(ticket.number, role="huge", halign="center", bold=True,
                                       font_size=self.app.theme.font_huge * 1.6)
        left.add_widget(self.number_label)
        lines = [
            ticket.service_name,
            _("People ahead of you: {count}").format(count=ticket.people_ahead),
            _("Estimated wait: {wait}").format(wait=wait_text(ticket.estimated_wait_s)),
        ]
        if ticket.where:
            lines.append(_("Where: {value}").format(value=ticket.where))
        if ticket.booking_id:
            lines.append(_("Your booking is checked in and will be called first in its time."))
        for line in lines:
            left.add_widget(self.label(line, role="large", halign="center"))
        mark = priority_words(ticket.priority)
        self.priority_label = None
        if mark is not None:
            self.priority_label = self.label("\n".join(mark), role="large", halign="center", bold=True,
                                             color=self.app.theme.ok)
            left.add_widget(self.priority_label)
        outcome = self.print_outcome
        self.qr = None
        if outcome is None:
            left.add_widget(self.label(_("Printing your ticket…"), role="large", halign="center"))
        elif outcome.printed:
            self.print_label = self.label(_("Please take your ticket below the screen."), role="large",
                                          halign="center", color=self.app.theme.ok)
            left.add_widget(self.print_label)
        else:
            self.print_label = self.label(
                _("The ticket could not be printed: {reason} Your number is still in the queue. Scan this "
                  "QR code with your phone to follow it, or remember your number.").format(
                    reason=error_text(outcome.reason)),
                role="large", color=self.app.theme.error,
            )
            left.add_widget(self.print_label)
            right = BoxLayout(orientation="vertical", size_hint_x=None, width=460)
            self.qr = QrCode(size_hint=(None, None), size=(440, 440))
            self.qr.data = ticket.tracking_url
            right.add_widget(self.qr)
            right.add_widget(Widget())
            body.add_widget(left)
            body.add_widget(right)
            self.content.add_widget(body)
            self._finish_row()
            return
        body.add_widget(left)
        self.content.add_widget(body)
        self._finish_row()

    def _finish_row(self) -> None:
        self.finish_button = self.button(_("Finish"), self.finish)
        self.content.add_widget(self.finish_button)

    def finish(self) -> None:
        ticket = self.ticket
        self.app.finish_transaction({"type": "ticket", "id": ticket.id} if ticket else None)
