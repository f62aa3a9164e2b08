"""The steps a flow shows when a typed identity must prove it is the person at the kiosk (DESIGN §4.5):
a choice of a code sent to the phone on file or the electronic ID, the code's keypad, and the e-ID's
scan; a card placed on the reader at any of them is the proof itself."""

from datetime import date
from functools import partial
from typing import Any, ClassVar

from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.widget import Widget

from hall_contract import Challenge, Proof
from kiosk.flows.proof import CODE_LENGTH, ProofFlow, card_proof, code_proof, eid_proof
from kiosk.hall_client import HallError
from kiosk.i18n import N_, _
from kiosk.session import Identity
from kiosk.ui.widgets.numeric_pad import NumericPad
from kiosk.ui.widgets.row import row

# Refusals of a proof: the citizen is offered the ways to show it is them again.
PROOF_REFUSALS = ("proof_required", "identity_not_verified", "challenge_expired")


def names_someone(identity: Identity | None) -> bool:
    """A scanned booking code stands for a booking, not a person: a proof needs a name and number."""
    return identity is not None and bool(identity.id_number and identity.name)


class ProofSteps:
    """Mixed into a FlowScreen (which gives app, label, button, list_button, content, call, show, say,
    say_code, render, step, busy). The screen answers ``proven(identity, proof)`` by asking the hall."""

    app: Any
    label: Any
    button: Any
    list_button: Any
    content: Any
    call: Any
    show: Any
    say: Any
    say_code: Any
    render: Any
    prompt: Any
    name: str
    step: str
    busy: bool
    # Why a typed number is not enough here, said above the choices.
    proof_reason_msgid: ClassVar[str] = N_(
        "Your records are private, so a typed ID number cannot open them. Please choose one:")
    # The steps on which a card placed on the reader stands for the citizen at once.
    card_steps: ClassVar[tuple[str, ...]] = ("proof", "code", "eid")
    code_pad: NumericPad | None = None

    def proven(self, identity: Identity, proof: Proof) -> None:
        raise NotImplementedError

    def visit_proof(self, identity: Identity) -> Proof | None:
        """The card read in this visit, or the code or e-ID that opened something already."""
        return card_proof(identity) or self.app.session.proof

    def keep_proof(self, proof: Proof) -> None:
        """A code or e-ID the hall accepted stands for the rest of the visit; a card needs none kept."""
        if proof.type != "card":
            self.app.session.proof = proof

    def proof_refused(self, exc: BaseException) -> bool:
        """Handle a refused proof (True); anything else is the screen's to say (False)."""
        if not isinstance(exc, HallError) or exc.code not in PROOF_REFUSALS:
            return False
        session = self.app.session
        session.proof = None
        if self.step == "code":
            if exc.code == "challenge_expired":
                session.challenge = None
                self.render()
                self.say_code("challenge_expired")
            else:
                # One answer for a wrong code and a wrong name (no hint which): ask for the code again.
                if self.code_pad is not None:
                    self.code_pad.value = ""
                self.say_code("wrong_code")
            return True
        if self.step != "eid":
            self.show("proof")
        self.say_code(exc.code)
        return True

    def _render_proof(self) -> None:
        self.prompt = _("Please show that it is you")
        self.content.add_widget(self.label(_(self.proof_reason_msgid), role="large"))
        self.code_button = self.list_button(_("Send a code to my phone"), self.send_code)
        self.eid_button = self.list_button(_("Show my electronic ID"), partial(self.show, "eid"))
        self.content.add_widget(self.code_button)
        self.content.add_widget(self.eid_button)
        self.content.add_widget(self.label(_("Or place your ID card on the reader."), role="large"))
        self.content.add_widget(Widget())

    def send_code(self) -> None:
        identity = self.app.session.identity
        if identity is None:
            self.app.go("identify", next=self.name, purpose=self.name)
            return
        flow = ProofFlow(self.app.hall)
        self.call(lambda: flow.send_code(identity), self._code_sent)

    def _code_sent(self, challenge: Challenge) -> None:
        self.app.session.challenge = challenge
        if self.code_pad is not None:
            self.code_pad.value = ""
        self.show("code")

    def _render_code(self) -> None:
        challenge = self.app.session.challenge
        self.prompt = _("Enter the code from your phone")
        if challenge is not None:
            sent = _("A code was sent to {phone}.").format(phone=challenge.masked_phone)
        else:
            sent = _("Please ask for a new code.")
        sent_label = self.label(sent, role="large")
        sent_label.size_hint_y = None
        sent_label.height = self.app.theme.button_h
        self.content.add_widget(sent_label)
        typed = self.code_pad.value if self.code_pad is not None else ""
        pad = self.code_pad = NumericPad(max_length=CODE_LENGTH, allow_x=False, value=typed)
        shown = self.label("", role="title", halign="center")
        shown.size_hint_y = None
        shown.height = self.app.theme.button_h

        def typed_so_far(*_args: Any) -> None:
            shown.text = " ".join(pad.value.ljust(CODE_LENGTH, "_"))
            self.confirm_button.disabled = challenge is None or len(pad.value) != CODE_LENGTH

        self.content.add_widget(shown)
        holder = AnchorLayout()
        holder.add_widget(pad)
        self.content.add_widget(holder)
        self.new_code_button = self.button(_("Send a new code"), self.send_code, kind="quiet")
        self.confirm_button = self.button(_("Confirm"), self.confirm_code)
        self.content.add_widget(
            row(self.new_code_button, self.confirm_button, height=self.app.theme.button_h))
        pad.bind(value=typed_so_far)
        typed_so_far()

    def confirm_code(self) -> None:
        identity, challenge = self.app.session.identity, self.app.session.challenge
        if identity is None or challenge is None or self.code_pad is None:
            return
        proof = code_proof(challenge, self.code_pad.value)
        if proof is not None:
            self.proven(identity, proof)

    def _render_eid(self) -> None:
        self.prompt = _("Show your electronic ID")
        for line in (
            _("Open the electronic ID on your phone,"),
            _("and hold its QR code under the scanner below the screen."),
        ):
            self.content.add_widget(self.label(line, role="large"))
        self.content.add_widget(Widget())

    def on_scan(self, payload: bytes) -> None:
        identity = self.app.session.identity
        if self.step != "eid" or identity is None or self.busy:
            return
        proof = eid_proof(payload)
        if proof is None:
            self.say(_("The code could not be read. Please scan it again."))
            return
        self.proven(identity, proof)

    def on_card_placed(self, card: Any) -> None:
        # The card on the reader is the surest proof: it stands for whoever the visit knew before.
        if self.step not in self.card_steps or self.busy:
            return
        if card.valid_to is not None and card.valid_to < date.today():
            self.say(_("This ID card has expired. Please use a valid card or ask staff."))
            return
        session = self.app.session
        session.identity = Identity(name=card.name, id_number=card.id_number, source="id_card", card=card)
        session.proof = session.challenge = None
        proof = card_proof(session.identity)
        assert proof is not None
        self.proven(session.identity, proof)
