"""Records screen: choose a kind → show it is you (card, code to the phone, e-ID) → the citizen's
records, page by page → print them all."""

from functools import partial
from typing import Any, ClassVar

from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.gridlayout import GridLayout
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from hall_contract import Proof, RecordsResult
from kiosk.flows.records import KINDS, RecordsFlow, pages
from kiosk.flows.slips import printed_columns, shared_values
from kiosk.flows.words import error_text
from kiosk.i18n import N_, _
from kiosk.session import Identity
from kiosk.ui.screens.flow_screen import FlowScreen, row
from kiosk.ui.screens.proof_steps import ProofSteps, names_someone
from kiosk.ui.screens.records_certificate import CertificateActions
from kiosk.ui.widgets.numeric_pad import NumericPad

# Beyond about this many half-width characters a row of equal-width columns starts wrapping
# its longer values (an employer's name) on a landscape kiosk screen.
SCREEN_COLUMNS = 64


class RecordsScreen(CertificateActions, ProofSteps, FlowScreen):
    step = StringProperty("kind")
    title_msgid = N_("Records and printing")
    back_steps: ClassVar[dict[str, str]] = {"list": "kind", "proof": "kind", "code": "proof", "eid": "proof"}
    restarts_without_person = True
    card_steps: ClassVar[tuple[str, ...]] = ("kind", "proof", "code", "eid")
    page = NumericProperty(1)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._flow: RecordsFlow | None = None
        self.kind: str | None = None
        self.result: RecordsResult | None = None
        self.kind_buttons: dict[str, Any] = {}
        self.print_outcome: Any = None
        self.printing = False
        self.code_pad: NumericPad | None = None
        self._forget_widgets()

    def _forget_widgets(self) -> None:
        # Widgets that showed the citizen's records: no reference outlives the person.
        self.cell_labels: list[Any] = []
        self.summary_label: Any = None
        self.table_view: Any = None
        self.print_label: Any = None
        self.a4_label = self.a4_button = None

    @property
    def flow(self) -> RecordsFlow:
        if self._flow is None:
            self._flow = RecordsFlow(self.app.hall)
        return self._flow

    def on_enter_params(self, **params: Any) -> None:
        super().on_enter_params(**params)
        self.kind = None
        self.result = None
        self.print_outcome = self.certificate_outcome = None
        if not names_someone(self.app.session.identity):
            # Records are personal: who is asking comes first.
            self.step = "kind"
            self.clear_content()
            # After app.go has finished showing this screen, not inside it.
            Clock.schedule_once(lambda _dt: self.app.go("identify", next="records", purpose="records"))
            return
        self.show("kind")

    def reset_visit(self) -> None:
        super().reset_visit()
        self.kind = None
        self.result = None
        self.print_outcome = self.certificate_outcome = None
        self.printing = self.printing_certificate = False
        if self.code_pad is not None:
            self.code_pad.value = ""
        self.code_pad = None
        self._forget_widgets()
        self.step = "kind"

    def restart(self) -> None:
        # Back to the kinds; choosing one asks who the citizen is again.
        self.show("kind")

    def back(self) -> None:
        if self.step == "list":
            self.result = None
            self.certificate_outcome = None
        super().back()

    # -- kind --

    def _render_kind(self) -> None:
        identity = self.app.session.identity
        self.prompt = _("Which records would you like to see?")
        if identity is not None:
            self.content.add_widget(
                self.label(_("For {name} ({id_number})").format(
                    name=identity.name_masked, id_number=identity.id_number_masked))
            )
        grid = GridLayout(cols=2, spacing=self.app.theme.gap)
        self.kind_buttons = {}
        for kind, label in KINDS.items():
            button = self.button(_(label), partial(self.choose, kind))
            button.height = self.app.theme.button_h * 1.6
            self.kind_buttons[kind] = button
            grid.add_widget(button)
        self.content.add_widget(grid)
        self.content.add_widget(Widget())

    def choose(self, kind: str) -> None:
        identity = self.app.session.identity
        if identity is None or not names_someone(identity):
            self.app.go("identify", next="records", purpose="records")
            return
        self.kind = kind
        self.print_outcome = self.certificate_outcome = None
        proof = self.visit_proof(identity)
        if proof is None:
            # A typed ID number and name never open records: a code or an e-ID shows it is them.
            self.show("proof")
            return
        self._query(identity, proof)

    def _query(self, identity: Identity, proof: Proof) -> None:
        kind = self.kind
        if kind is None:
            return

        def got(result: RecordsResult) -> None:
            # Kept in the visit for the next kind: another code only if the hall wants one.
            self.keep_proof(proof)
            self._got_records(result)

        self.call(lambda: self.flow.query(kind, identity, self.app.lang, proof), got,
                  failed=self.proof_refused)

    def proven(self, identity: Identity, proof: Proof) -> None:
        # A card placed before a kind is chosen only says who the citizen is.
        if self.step == "kind" or self.kind is None:
            self.show("kind")
            return
        self._query(identity, proof)

    # -- list --

    def _got_records(self, result: RecordsResult) -> None:
        self.result = result
        # Records are personal: they live in the visit and are wiped with it.
        self.app.session.records = [dict(r) for r in result.rows]
        self.page = 1
        self.show("list")

    def _render_list(self) -> None:
        result = self.result
        assert result is not None
        all_pages = pages(result)
        self.page = min(max(1, self.page), len(all_pages))
        current = all_pages[self.page - 1]
        self.prompt = result.title or _(KINDS.get(result.kind, result.kind))
        summary = _("{count} records. Page {page} of {pages}.").format(
            count=result.total_rows, page=current.number, pages=current.count
        )
        self.summary_label = self.label(summary, color=self.app.theme.muted)
        self.content.add_widget(self.summary_label)
        columns, constant = printed_columns(result, SCREEN_COLUMNS)
        if constant:
            # Values shared by every row are said once instead of repeated down a column.
            colon, semicolon = (": ", "; ") if self.app.lang == "en" else ("：", "；")
            shared = shared_values(result, constant)
            said = semicolon.join(f"{label}{colon}{value}" for label, value in shared)
            self.content.add_widget(self.label(said))
        table = GridLayout(cols=max(1, len(columns)), spacing=(12, 6), size_hint_y=None)
        table.bind(minimum_height=table.setter("height"))
        for column in columns:
            table.add_widget(self.label(column.label, bold=True, color=self.app.theme.accent))
        self.cell_labels = []
        for record in current.rows:
            for column in columns:
                cell = self.label(record.get(column.key, ""))
                self.cell_labels.append(cell)
                table.add_widget(cell)
        if not current.rows:
            self.content.add_widget(self.label(_("No records were found."), role="large"))
        # A page of long rows may not fit the screen: the table scrolls inside the page.
        self.table_view = ScrollView(do_scroll_x=False, bar_width=12, scroll_type=["bars", "content"])
        self.table_view.add_widget(table)
        self.content.add_widget(self.table_view)
        if self.print_outcome is not None:
            outcome = self.print_outcome
            if outcome.printed:
                text = _("Printed on {sheets} sheet(s). Please take them.").format(
                    sheets=outcome.jobs_printed)
            else:
                text = _("Printing stopped: {reason}").format(reason=error_text(outcome.reason))
                if outcome.jobs_printed:
                    text += " " + _("{done} of {total} sheets were printed.").format(
                        done=outcome.jobs_printed, total=outcome.jobs_total)
            self.print_label = self.label(
                text, role="large", color=self.app.theme.ok if outcome.printed else self.app.theme.error
            )
            self.content.add_widget(self.print_label)
        for said in self.certificate_widgets():
            self.content.add_widget(said)
        self.prev_button = self.button(_("Previous page"), partial(self.turn, -1), kind="quiet")
        self.prev_button.disabled = current.number <= 1
        self.next_button = self.button(_("Next page"), partial(self.turn, 1), kind="quiet")
        self.next_button.disabled = current.number >= current.count
        self.print_button = self.button(
            _("Printing…") if self.printing else _("Print all"), self.print_all
        )
        self.print_button.disabled = self.printing or not result.rows
        self.finish_button = self.button(_("Finish"), self.finish, kind="secondary")
        self.content.add_widget(
            row(*(b for b in (self.prev_button, self.next_button, self.print_button, self.a4_button,
                              self.finish_button) if b is not None), height=self.app.theme.button_h)
        )

    def on_language(self, lang: str) -> None:
        self.render()
        identity = self.app.session.identity
        if self.step != "list" or not self.kind or identity is None or self.app.current_screen != self.name:
            return
        # Titles and column names come from the hall in the citizen's language. Records have no id
        # to fetch them by: the query is asked again, for the same citizen and kind.
        kind = self.kind

        def again(result: RecordsResult) -> None:
            if self.step != "list" or self.kind != kind or self.app.session.identity is not identity:
                return
            page = self.page
            self._got_records(result)
            self.page = page
            self.render()

        proof = self.visit_proof(identity)
        if proof is None:
            return
        self.fetch_in_language("records", lang, lambda: self.flow.query(kind, identity, lang, proof), again)

    def turn(self, step: int) -> None:
        self.page += step
        self.render()

    def print_all(self) -> None:
        result, identity = self.result, self.app.session.identity
        if result is None or identity is None or self.printing:
            return
        self.printing = True
        self.print_outcome = None
        self.render()
        self.app.run_task(
            self.flow.print_records(
                self.app.devices, result, identity, hall_name=_(self.app.hall_name), lang=self.app.lang,
                # Not one more sheet once the citizen has lifted their card.
                still_wanted=lambda: self.app.session.identity is identity,
            ),
            self._printed,
        )

    def _printed(self, outcome: Any) -> None:
        self.printing = False
        self.print_outcome = outcome
        if self.step == "list":
            self.render()

    def finish(self) -> None:
        subject = {"type": "kiosk_transaction", "id": f"records-{self.app.session.visit_id[:12]}-{self.kind}"}
        self.app.finish_transaction(subject)

