"""Reviews (好差评): the levels with their reasons, the body of ``POST /reviews`` and its answer."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hall_contract.base import Answer, Body, Text


class ReviewReason(Answer):
    code: str
    label: str


class ReviewLevel(Answer):
    level: int
    label: str = ""
    bad: bool = False
    reasons: tuple[ReviewReason, ...] = ()


class ReviewLevels(Answer):
    """``GET /reviews/reasons``: 5 非常满意 … 1 非常不满意."""

    levels: tuple[ReviewLevel, ...]


class FollowUp(Answer):
    id: str
    due: str  # YYYY-MM-DD
    status: str = "open"


class ReviewResult(Answer):
    id: str
    level: int
    follow_up: FollowUp | None = None

    @property
    def follow_up_due(self) -> str | None:
        return self.follow_up.due if self.follow_up else None


class Subject(Body):
    type: Literal["ticket", "booking", "assist_call", "kiosk_transaction"]
    id: Text = Field(min_length=1, max_length=80)


class ReviewBody(Body):
    level: int
    reasons: list[Text] = Field(default_factory=list, max_length=20)
    comment: Text | None = Field(default=None, max_length=2000)
    subject: Subject
    site: Text | None = Field(default=None, min_length=1, max_length=32)
