"""The good/bad review (好差评) after a transaction: five levels, optional reasons, skippable."""

from __future__ import annotations

from dataclasses import dataclass

from hall_contract import ReviewLevel, ReviewResult
from kiosk.flows.offline import ActionKeys, keyed
from kiosk.hall_client import HallClient
from kiosk.i18n import N_

SUBJECT_TYPES = ("ticket", "booking", "assist_call", "kiosk_transaction")

# Shown when the hall cannot send its own labels; the national scheme's five words.
LEVEL_LABELS = {
    5: N_("Very satisfied"),
    4: N_("Satisfied"),
    3: N_("Fair"),
    2: N_("Dissatisfied"),
    1: N_("Very dissatisfied"),
}


@dataclass(frozen=True)
class Subject:
    """What is being rated: ``{type, id}`` as POST /reviews takes it."""

    type: str
    id: str

    def __post_init__(self) -> None:
        if self.type not in SUBJECT_TYPES:
            raise ValueError(f"unknown review subject type {self.type!r}")
        if not self.id:
            raise ValueError("a review subject needs an id")


class ReviewFlow:
    def __init__(self, hall: HallClient, keys: ActionKeys | None = None) -> None:
        self.hall = hall
        self.keys = keys or ActionKeys()

    async def levels(self, lang: str = "zh_Hans") -> list[ReviewLevel]:
        """Levels 5 → 1 with the reasons of each, best first."""
        levels = await self.hall.call(self.hall.review_reasons, lang)
        return sorted(levels, key=lambda level: -level.level)

    async def submit(
        self, level: int, reasons: list[str], subject: Subject, comment: str | None = None
    ) -> ReviewResult:
        if level not in LEVEL_LABELS:
            raise ValueError(f"a review level is 1 to 5, got {level!r}")
        chosen = sorted(set(reasons))
        return await keyed(
            self.keys, ("review", subject.type, subject.id, level, tuple(chosen), comment),
            lambda key: self.hall.call(
                self.hall.post_review, level, chosen, subject.type, subject.id, idempotency_key=key,
                comment=comment,
            ),
        )
