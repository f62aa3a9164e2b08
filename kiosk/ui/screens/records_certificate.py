"""The records screen's A4 certificate: offered while the A4 printer can print, its verification
code said once printed, the reason and the thermal summary said when it cannot."""

from typing import Any

from kiosk.a4_printing import UNAVAILABLE, A4Offer
from kiosk.flows.records import CertificateOutcome, RecordsFlow
from kiosk.flows.words import error_text
from kiosk.i18n import N_, _

PRINT_A4 = N_("Print A4 certificate")
PRINTING_A4 = N_("Printing the certificate…")
TAKE_IT = N_("Please take your certificate from the A4 printer. Verification code: {code}")
NOT_PRINTED = N_("The certificate was not printed: {reason}")


def reason_words(reason: str | None) -> str:
    """A refusal in plain words: the A4 printer's own fault, else the kiosk's words for the code."""
    if reason in UNAVAILABLE:
        return _(UNAVAILABLE[reason])
    return error_text(reason)


class CertificateActions:
    """Mixed into RecordsScreen (which gives app, flow, kind, result, label, button, render, call)."""

    app: Any
    label: Any
    button: Any
    render: Any
    visit_proof: Any
    kind: str | None
    step: str
    certificate_outcome: CertificateOutcome | None = None
    printing_certificate = False
    a4_button: Any = None
    a4_label: Any = None

    @property
    def flow(self) -> RecordsFlow:
        raise NotImplementedError

    def a4_offer(self) -> A4Offer | None:
        """None when this kiosk's devices have no A4 slot at all (no button, nothing said)."""
        a4 = getattr(self.app.devices, "a4", None)
        return a4.offer() if a4 is not None else None

    def certificate_widgets(self) -> list[Any]:
        """The A4 button (or None) first, then what to say about A4 (may be empty)."""
        offer = self.a4_offer()
        self.a4_button = self.a4_label = None
        if offer is None:
            return []
        said: list[Any] = []
        outcome = self.certificate_outcome
        if outcome is not None and outcome.printed:
            said.append(self.label(_(TAKE_IT).format(code=outcome.code), role="large",
                                   color=self.app.theme.ok))
        elif outcome is not None:
            said.append(self.label(_(NOT_PRINTED).format(reason=reason_words(outcome.reason)),
                                   role="large", color=self.app.theme.error))
        if not offer.available and not self.printing_certificate:
            # Not offered: why, in plain words, and the thermal summary instead.
            # Chinese sentences follow one another without a space.
            words = (" " if self.app.lang == "en" else "").join(_(m) for m in offer.msgids)
            said.append(self.label(words, role="large", color=self.app.theme.muted))
        if said:
            self.a4_label = said[0]
        if offer.available or self.printing_certificate:
            self.a4_button = self.button(
                _(PRINTING_A4) if self.printing_certificate else _(PRINT_A4), self.print_certificate)
            self.a4_button.disabled = self.printing_certificate or getattr(self, "printing", False)
        return said

    def print_certificate(self) -> None:
        identity, kind = self.app.session.identity, self.kind
        a4 = getattr(self.app.devices, "a4", None)
        if identity is None or kind is None or self.printing_certificate or a4 is None:
            return
        proof = self.visit_proof(identity)
        self.printing_certificate = True
        self.certificate_outcome = None
        self.render()
        self.app.run_task(
            self.flow.print_certificate(a4, kind, identity, proof, lang=self.app.lang),
            self._certificate_printed,
        )

    def _certificate_printed(self, outcome: CertificateOutcome) -> None:
        self.printing_certificate = False
        self.certificate_outcome = outcome
        if self.step == "list":
            self.render()
