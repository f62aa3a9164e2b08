"""How a printout words what is not a fixed label, in the citizen's language: dates and times; and
the languages a printout may be in."""

from __future__ import annotations

from datetime import date, datetime

from kiosk.flows.words import MONTHS, month_name, weekday_name
from kiosk.i18n import LANGUAGES, _

__all__ = ["MONTHS", "check_lang", "printed_date", "printed_time"]


def check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    return lang


def printed_date(day: date, lang: str) -> str:
    """``2026年11月25日 周三`` or ``Wed 25 Nov 2026``."""
    return _("{weekday} {day} {month} {year}", lang).format(
        weekday=weekday_name(day, lang), day=day.day, month=month_name(day, lang), year=day.year
    )


def printed_time(moment: datetime) -> str:
    """``2026-11-23 14:05``, the same in every language (numbers read the same)."""
    return moment.strftime("%Y-%m-%d %H:%M")
