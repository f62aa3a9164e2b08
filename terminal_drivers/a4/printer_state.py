"""What an IPP printer's state and state reasons mean for the kiosk: a Health with a stable reason.

Pure: IPP ``printer-state`` (3 idle, 4 processing, 5 stopped), ``printer-state-reasons`` keywords
and ``printer-is-accepting-jobs`` in, a :class:`PrinterState` out. Keywords carry a severity suffix
(RFC 8011 §5.4.12): ``-error`` stops printing, ``-warning`` does not, ``-report`` only informs, and
a keyword without a suffix is an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from terminal_drivers.devices import Health

IDLE, PROCESSING, STOPPED = 3, 4, 5
SEVERITIES = ("error", "warning", "report")

# IPP keyword (without suffix) → our reason code. Several keywords name one fault for a citizen.
CONDITIONS: dict[str, str] = {
    "media-empty": "media_empty",
    "media-needed": "media_empty",
    "input-tray-missing": "media_empty",
    "media-jam": "media_jam",
    "door-open": "door_open",
    "cover-open": "door_open",
    "interlock-open": "door_open",
    "toner-empty": "toner_empty",
    "marker-supply-empty": "toner_empty",
    "offline": "offline",
    "shutdown": "offline",
    "timed-out": "offline",
    "connecting-to-device": "offline",
    "paused": "paused",
    "moving-to-paused": "paused",
    "toner-low": "toner_low",
    "marker-supply-low": "toner_low",
    "media-low": "media_low",
}
# Conditions that never stop a job, whatever their suffix: the printer still prints.
ADVISORY = frozenset({"toner_low", "media_low"})
# Conditions that mean "no job will come out" at any severity: CUPS reports a printer its backend
# cannot reach as ``offline-report``, and a paused queue holds every job.
ALWAYS_BLOCKING = frozenset({"offline", "paused"})
# When several faults are present the one a technician must fix first names the state.
PRIORITY = (
    "media_jam",
    "door_open",
    "media_empty",
    "toner_empty",
    "printer_error",
    "offline",
    "paused",
    "not_accepting",
    "stopped",
    "printer_state_unknown",
    "toner_low",
    "media_low",
)


@dataclass(frozen=True)
class Reason:
    """One state reason keyword split into its condition and severity."""

    keyword: str
    severity: str

    @classmethod
    def parse(cls, text: str) -> Reason:
        word = text.strip().lower()
        for severity in SEVERITIES:
            suffix = "-" + severity
            if word.endswith(suffix) and len(word) > len(suffix):
                return cls(word[: -len(suffix)], severity)
        return cls(word, "error")


@dataclass(frozen=True)
class PrinterState:
    """The queue's state as the kiosk sees it; ``reasons`` are every fault code present, worst first."""

    health: Health
    reasons: tuple[str, ...]
    accepting: bool
    printer_state: int
    keywords: tuple[str, ...]

    @property
    def can_print(self) -> bool:
        """A job sent now would come out (perhaps faint, or with the last sheets of paper)."""
        return self.health.state != "offline"

    def as_json(self) -> dict[str, object]:
        return {
            **self.health.as_json(),
            "reasons": list(self.reasons),
            "accepting_jobs": self.accepting,
            "printer_state": self.printer_state,
            "state_reasons": list(self.keywords),
        }


def interpret(printer_state: int, state_reasons: Iterable[str], accepting: bool = True) -> PrinterState:
    """The kiosk's view of a queue from its IPP attributes; never raises on odd input."""
    keywords = tuple(str(k) for k in state_reasons if str(k).strip() and str(k).strip().lower() != "none")
    blocking: set[str] = set()
    advisory: set[str] = set()
    for text in keywords:
        found = _classify(text)
        if found is None:
            continue
        code, blocks = found
        (blocking if blocks else advisory).add(code)
    if not accepting:
        blocking.add("not_accepting")
    if printer_state == STOPPED and not blocking:
        blocking.add("stopped")
    elif printer_state not in (IDLE, PROCESSING, STOPPED):
        blocking.add("printer_state_unknown")
    # Faults that stop printing first, then warnings, each in the order a technician fixes them.
    ordered = tuple(code for code in PRIORITY if code in blocking)
    ordered += tuple(code for code in PRIORITY if code in advisory and code not in blocking)
    if blocking:
        health = Health.offline(ordered[0])
    elif advisory:
        health = Health.degraded(ordered[0])
    else:
        health = Health.ok()
    return PrinterState(health, ordered, accepting, printer_state, keywords)


def _classify(text: str) -> tuple[str, bool] | None:
    """(code, blocks printing) for one keyword as written, or None when it does not concern us."""
    word = text.strip().lower()
    reason = Reason.parse(word)
    code = CONDITIONS.get(reason.keyword)
    if code is None:
        # Unknown keywords count only when explicitly marked -error: unsuffixed vendor keywords
        # (CUPS's ``cups-waiting-for-job-completed``) are transient notes, not the RFC's implied error.
        return ("printer_error", True) if word.endswith("-error") else None
    if code in ADVISORY:
        return code, False
    if code in ALWAYS_BLOCKING:
        return code, True
    return code, reason.severity == "error"
