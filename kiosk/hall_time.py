"""The hall's time as the top bar shows it: 2026年12月6日 星期日 08:35 / Sun 6 Dec 2026 08:35."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

# Calendar words, not sentences: the same in Simplified and Traditional, fixed in English.
_ZH_WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def clock_text(moment: datetime, lang: str) -> str:
    """``moment``'s date, weekday and minute in kiosk language ``lang``."""
    hhmm = f"{moment.hour:02d}:{moment.minute:02d}"
    if lang == "en":
        month = _EN_MONTHS[moment.month - 1]
        return f"{_EN_WEEKDAYS[moment.weekday()]} {moment.day} {month} {moment.year} {hhmm}"
    return f"{moment.year}年{moment.month}月{moment.day}日 {_ZH_WEEKDAYS[moment.weekday()]} {hhmm}"


def hall_now(offset: timedelta, learned_zone: tzinfo | None, site_zone: tzinfo | None,
             now: datetime | None = None) -> datetime:
    """The hall's time now: this machine's clock moved by the hall's ``offset`` (a demo hall may
    run on a moved clock), in the zone its heartbeat gave, else the site's, else this machine's."""
    moment = (now or datetime.now(UTC)) + offset
    zone = learned_zone or site_zone
    return moment.astimezone(zone) if zone is not None else moment.astimezone()


def seconds_to_next_minute(moment: datetime) -> float:
    """How long until the shown minute changes (a little after, so the new minute is read)."""
    return 60.0 - moment.second - moment.microsecond / 1_000_000 + 0.05
