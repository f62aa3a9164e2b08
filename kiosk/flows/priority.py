"""Priority classes (绿色通道): asked plainly at the kiosk, and marked on a priority ticket's screen
and paper, so the clerk knows to check the proof."""

from __future__ import annotations

from kiosk.i18n import N_, _

# Priority classes (绿色通道), asked plainly; None is the ordinary queue.
PRIORITIES: dict[str, str] = {
    "elderly": N_("Aged 65 or over"),
    "disabled": N_("Person with a disability"),
    "pregnant": N_("Pregnant"),
    "military": N_("Serving or retired military"),
}


def priority_words(priority: str | None, lang: str | None = None) -> tuple[str, str] | None:
    """The mark of a priority ticket, on screen and on paper: the class, and what the citizen must do
    (the clerk checks the proof before serving a green-channel ticket). None for a normal ticket."""
    if not priority:
        return None
    group = _(PRIORITIES[priority], lang) if priority in PRIORITIES else priority
    return (
        _("Green channel: {group}", lang).format(group=group),
        _("Please show your proof at the window.", lang),
    )
