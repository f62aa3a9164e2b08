"""Administration routes for the calendar: extra closed days and working-day corrections (调休); the
holiday files are loaded through ``POST /calendars`` (api/calendar.py)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from hall_server.api.admin_catalogue import WindowNames
from hall_server.api.auth import ADMIN, MANAGER, Caller, hall_of
from hall_server.usecases import admin_calendar

router = APIRouter(tags=["administration"])


class DayNames(WindowNames):
    """Why the hall is closed, in the three languages."""


class DayDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["closed", "workday"]
    names: DayNames | None = Field(None)


@router.get("/admin/calendar")
def calendar(request: Request, caller: Caller = Depends(MANAGER)) -> dict[str, Any]:
    """The days the administration decided, and the holiday files loaded."""
    return admin_calendar.calendar_listing(hall_of(request))


@router.put("/admin/calendar/days/{day}")
def set_day(body: DayDecision, request: Request, day: date = Path(), caller: Caller = Depends(ADMIN)
            ) -> dict[str, Any]:
    """Close the hall on a day, or make a rest day a working day (调休); replaces the day's decision."""
    names = body.names.model_dump(by_alias=True) if body.names is not None else None
    return admin_calendar.set_day(hall_of(request), caller, day, body.kind, names)


@router.delete("/admin/calendar/days/{day}")
def remove_day(request: Request, day: date = Path(), caller: Caller = Depends(ADMIN)) -> dict[str, Any]:
    """Withdraw the day's decision: the year's holiday data decides again."""
    return admin_calendar.remove_day(hall_of(request), caller, day)
