"""How an A4 job ended: IPP ``job-state`` values and the outcome a caller gets back (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# RFC 8011 §5.3.7 job-state values.
PENDING, HELD, PROCESSING, PROCESSING_STOPPED, CANCELED, ABORTED, COMPLETED = 3, 4, 5, 6, 7, 8, 9
FINAL = {CANCELED: "canceled", ABORTED: "aborted", COMPLETED: "completed"}
JOB_STATE_NAMES = {
    PENDING: "pending",
    HELD: "pending-held",
    PROCESSING: "processing",
    PROCESSING_STOPPED: "processing-stopped",
    **FINAL,
}

OutcomeState = Literal["completed", "canceled", "aborted", "timed_out", "printer_stopped"]


@dataclass(frozen=True)
class JobOutcome:
    """One job's end. ``reason`` is a stable code when it did not complete: ``job_canceled``,
    ``job_aborted``, ``job_timeout``, or the printer's fault (``media_jam``, ``paused``, …) when the
    printer stopped with the job inside and the job was withdrawn."""

    job_id: int
    state: OutcomeState
    reason: str | None
    job_state_reasons: tuple[str, ...]
    elapsed_s: float

    @property
    def ok(self) -> bool:
        return self.state == "completed"

    def as_json(self) -> dict[str, object]:
        return {
            "job_id": self.job_id,
            "state": self.state,
            "reason": self.reason,
            "job_state_reasons": list(self.job_state_reasons),
            "elapsed_s": round(self.elapsed_s, 3),
        }


def final_outcome(
    job_id: int, job_state: int, reasons: tuple[str, ...], elapsed_s: float
) -> JobOutcome | None:
    """The outcome once ``job_state`` is final, else None (the job is still on its way)."""
    name = FINAL.get(job_state)
    if name is None:
        return None
    if name == "completed":
        return JobOutcome(job_id, "completed", None, reasons, elapsed_s)
    state: OutcomeState = "canceled" if name == "canceled" else "aborted"
    return JobOutcome(job_id, state, f"job_{name}", reasons, elapsed_s)


def as_keywords(value: object) -> tuple[str, ...]:
    """pycups gives a one-valued keyword attribute as a string and a longer one as a list."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value)
    return (str(value),)
