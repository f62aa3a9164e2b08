"""How a printout words what is not a fixed label, in the citizen's language: dates and times; and
the languages a printout may be in."""

from __future__ import annotations

from datetime import date, datetime

from kiosk.flows.words import weekday_name
from kiosk.i18n import LANGUAGES, N_, _

# Month names as a printed date uses them; Chinese dates print the month's number instead.
MONTHS = (
    N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
    N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"),
)


def check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    return lang


def printed_date(day: date, lang: str) -> str:
    """``2026年11月25日 周三`` or ``Wed 25 Nov 2026``."""
    return _("{weekday} {day} {month} {year}", lang).format(
        weekday=weekday_name(day, lang), day=day.day, month=_(MONTHS[day.month - 1], lang), year=day.year
    )


def printed_time(moment: datetime) -> str:
    """``2026-11-23 14:05``, the same in every language (numbers read the same)."""
    return moment.strftime("%Y-%m-%d %H:%M")
