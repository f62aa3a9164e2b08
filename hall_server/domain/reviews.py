"""Reviews (好差评): the five levels, their reasons, validation, and the follow-up deadline of a bad one.

review_levels() -> tuple[ReviewLevel, ...]     5..1, labels and reasons (data/review_reasons.toml)
validate_review(level, reasons, comment=None)  raises ReviewError(code)
is_bad(level) -> bool (level <= 2)
follow_up_due(level, reviewed_at, calendar, working_days=None) -> date | None
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from types import MappingProxyType

from hall_server.domain.calendar import SiteCalendar

LANGUAGES = ("zh-Hans", "zh-Hant", "en")
LEVELS = (5, 4, 3, 2, 1)
BAD_AT_MOST = 2
MAX_COMMENT_CHARS = 500
MAX_REASONS = 10


class ReviewError(ValueError):
    """A review that cannot be accepted. Codes: invalid_level, unknown_reason, reason_not_for_level,
    duplicate_reason, too_many_reasons, comment_too_long."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ReviewReason:
    code: str
    levels: frozenset[int]
    labels: Mapping[str, str]

    def label(self, lang: str = "zh-Hans") -> str:
        return self.labels.get(lang, self.labels["zh-Hans"])


@dataclass(frozen=True)
class ReviewLevel:
    level: int
    labels: Mapping[str, str]
    reasons: tuple[ReviewReason, ...]

    def label(self, lang: str = "zh-Hans") -> str:
        return self.labels.get(lang, self.labels["zh-Hans"])

    @property
    def bad(self) -> bool:
        return is_bad(self.level)


@cache
def review_levels() -> tuple[ReviewLevel, ...]:
    """The levels from 5 (非常满意) down to 1 (非常不满意), each with the reasons offered for it."""
    text = resources.files("hall_server.data").joinpath("review_reasons.toml").read_text("utf-8")
    return parse_review_reasons(text)


def parse_review_reasons(text: str) -> tuple[ReviewLevel, ...]:
    """Levels and reasons from the data file's text; ValueError when anything is missing or unknown."""
    data = tomllib.loads(text)
    levels, entries = data.get("levels"), data.get("reasons")
    if not isinstance(levels, dict) or set(levels) != {str(level) for level in LEVELS}:
        raise ValueError("[levels] must name levels 1 to 5")
    if not isinstance(entries, list) or not entries:
        raise ValueError("[[reasons]] must list the reasons")
    reasons: list[ReviewReason] = []
    for entry in entries:
        code, offered = entry.get("code"), entry.get("levels")
        if not isinstance(code, str) or not code or any(r.code == code for r in reasons):
            raise ValueError(f"reason code {code!r} missing or repeated")
        if not isinstance(offered, list) or not offered or not set(offered) <= set(LEVELS):
            raise ValueError(f"reason {code}: levels must be a list of 1..5")
        reasons.append(ReviewReason(code, frozenset(offered), _labels(entry, f"reason {code}")))
    return tuple(
        ReviewLevel(
            level,
            _labels(levels[str(level)], f"level {level}"),
            tuple(r for r in reasons if level in r.levels),
        )
        for level in LEVELS
    )


def _labels(entry: Mapping[str, object], what: str) -> Mapping[str, str]:
    labels = {lang: entry.get(lang) for lang in LANGUAGES}
    if not all(isinstance(label, str) and label.strip() for label in labels.values()):
        raise ValueError(f"{what} needs a label in zh-Hans, zh-Hant and en")
    return MappingProxyType({lang: str(label) for lang, label in labels.items()})


@cache
def _reasons_by_code() -> Mapping[str, ReviewReason]:
    return {reason.code: reason for level in review_levels() for reason in level.reasons}


def is_bad(level: int) -> bool:
    """A bad review (差评) opens a follow-up case."""
    return level <= BAD_AT_MOST


def validate_review(level: object, reasons: Sequence[object], comment: object = None) -> None:
    """Raise ReviewError unless the level is 1..5 and every reason is known and offered for it."""
    if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
        raise ReviewError("invalid_level", "level must be an integer from 1 to 5")
    if len(reasons) > MAX_REASONS:
        raise ReviewError("too_many_reasons", f"at most {MAX_REASONS} reasons")
    known = _reasons_by_code()
    seen: set[str] = set()
    for code in reasons:
        if not isinstance(code, str) or code not in known:
            raise ReviewError("unknown_reason", f"unknown reason {code!r}")
        if level not in known[code].levels:
            raise ReviewError("reason_not_for_level", f"reason {code!r} is not offered for level {level}")
        if code in seen:
            raise ReviewError("duplicate_reason", f"reason {code!r} given twice")
        seen.add(code)
    if comment is not None and (not isinstance(comment, str) or len(comment) > MAX_COMMENT_CHARS):
        raise ReviewError("comment_too_long", f"a comment is text of at most {MAX_COMMENT_CHARS} characters")


def follow_up_due(
    level: int, reviewed_at: datetime, calendar: SiteCalendar, working_days: int | None = None
) -> date | None:
    """The deadline of the follow-up a bad review opens (None for other levels): `working_days`
    (default: the site's follow_up_working_days) working days after the review's local date."""
    if not is_bad(level):
        return None
    days = calendar.site.settings.follow_up_working_days if working_days is None else working_days
    return calendar.add_working_days(calendar.local(reviewed_at).date(), days)
