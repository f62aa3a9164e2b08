"""Administration of the calendar: an extra closed day, a working-day correction (调休) and the holiday
files loaded; days are stored as overrides that every site's calendar lays over the year's data."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from hall_server.domain.holidays import CLOSED_DAY_NAMES, CalendarFileError, YearCalendar, parse_calendar_text
from hall_server.state.hall_state import HallState
from hall_server.store import calendars, overrides
from hall_server.usecases.admin_change import actor_of, audited
from hall_server.usecases.caller import Caller
from hall_server.usecases.planning_range import planning_date
from hall_server.usecases.refusal import Refusal

DayKind = Literal["closed", "workday"]


def calendar_listing(hall: HallState) -> dict[str, Any]:
    """The days decided by the administration, and the holiday files loaded (year and when)."""
    view = hall.overrides.view()
    with hall.db.read() as conn:
        years = calendars.stored_years(conn)
    days = [{"date": day.isoformat(), "kind": body.get("kind"), "names": body.get("names")}
            for day, body in sorted(view.days.items())]
    return {"days": days, "years": [{"year": y.year, "loaded_at": y.loaded_at.isoformat()} for y in years]}


def set_day(hall: HallState, caller: Caller, day: date, kind: DayKind,
            names: dict[str, str] | None) -> dict[str, Any]:
    """Close the hall on ``day`` (``names`` say why, in the three languages), or make it a working day
    (调休); replaces an earlier decision of that day. Refusal ``date_out_of_range``."""
    planning_date(day, "the day")
    body: dict[str, Any] = {"kind": kind}
    if kind == "closed":
        body["names"] = names or dict(CLOSED_DAY_NAMES)
    elif names is not None:
        raise Refusal("invalid_request", "a working day takes no names")

    def change(conn: Any) -> tuple[None, dict[str, Any]]:
        overrides.put(conn, "day", day.isoformat(), body, hall.now(), actor_of(caller))
        return None, body

    audited(hall, caller, "calendar", "set_day", day.isoformat(), change)
    return {"date": day.isoformat(), **body}


def remove_day(hall: HallState, caller: Caller, day: date) -> dict[str, Any]:
    """Withdraw the decision of ``day``: the year's data decides again. Refusal ``unknown_day_override``."""
    key = day.isoformat()

    def change(conn: Any) -> tuple[None, dict[str, Any]]:
        before = overrides.current(conn, "day").get(key)
        if before is None:
            raise Refusal("unknown_day_override", f"no decision of {key} to withdraw")
        overrides.put(conn, "day", key, None, hall.now(), actor_of(caller))
        return None, {"was": before}

    audited(hall, caller, "calendar", "remove_day", key, change)
    return {"date": key, "removed": True}


def year_counts(year: YearCalendar) -> dict[str, int]:
    """What a holiday file's audit row (area ``calendar``, action ``load_year``) says it held; the page's
    load and ``hall-server calendar load`` write the same."""
    return {"year": year.year, "holidays": len(year.holidays),
            "adjusted_workdays": len(year.adjusted_workdays)}


def load_holidays(hall: HallState, caller: Caller, text: str) -> dict[str, Any]:
    """Load an operator holiday file (calendar/<year>.toml, as text); it overrides the built-in year.

    An invalid file is refused with the file's own code (calendar_syntax_error, …) and ``details.line``,
    and changes nothing."""
    try:
        year = parse_calendar_text(text, source="request")
    except CalendarFileError as exc:
        raise Refusal(exc.code, exc.message, details={"line": exc.line}) from exc
    counts = year_counts(year)

    def change(conn: Any) -> tuple[None, dict[str, Any]]:
        calendars.store_year(conn, year.year, text, hall.now())
        return None, counts

    audited(hall, caller, "calendar", "load_year", str(year.year), change)
    hall.calendars.invalidate()
    return counts
