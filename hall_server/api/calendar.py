"""Calendar routes: site calendars and slots, slot capacity changes by staff, operator holiday files."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from hall_contract import Calendar, SlotList
from hall_server.api.auth import ADMIN, COUNTER, KIOSK_OR_STAFF, Caller, hall_of
from hall_server.api.fields import Text
from hall_server.api.languages import Lang
from hall_server.usecases import admin_calendar, calendar

router = APIRouter(tags=["calendar"])
SITE = Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")


@router.get("/sites/{site}/calendar", response_model=Calendar)
def site_calendar(
    request: Request,
    site: str = SITE,
    first: date = Query(alias="from"),
    last: date = Query(alias="to"),
    lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> dict[str, Any]:
    """Days with their sessions, holiday names, whether the holiday calendar is confirmed and whether a
    booking can still be made (with the reason when not)."""
    return calendar.calendar_answer(hall_of(request), site, first, last, lang)


@router.get("/sites/{site}/slots", response_model=SlotList)
def site_slots(
    request: Request,
    site: str = SITE,
    service: str = Query(min_length=1, max_length=32),
    day: date = Query(alias="date"),
    lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> dict[str, Any]:
    """The slots of a service on a day with capacity, places left, and why one is not bookable."""
    return calendar.slots_answer(hall_of(request), site, service, day, lang)


class CapacityBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    capacity: int = Field(ge=0, le=1000)


@router.put("/slots/{slot_id}/capacity")
def change_capacity(
    body: CapacityBody,
    request: Request,
    slot_id: str = Path(max_length=120),
    caller: Caller = Depends(COUNTER),
) -> dict[str, Any]:
    """Change the bookable places of one slot (动态调整); never below the places already booked."""
    return calendar.change_capacity(hall_of(request), slot_id, body.capacity)


class CalendarFileBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    toml: Text = Field(min_length=1, max_length=60_000)


@router.post("/calendars", status_code=201)
def load_calendar(
    body: CalendarFileBody, request: Request, caller: Caller = Depends(ADMIN)
) -> dict[str, Any]:
    """Load an operator holiday file (calendar/<year>.toml, as text); it overrides the built-in year."""
    return admin_calendar.load_holidays(hall_of(request), caller, body.toml)


@router.get("/calendars")
def loaded_calendars(request: Request, caller: Caller = Depends(ADMIN)) -> dict[str, Any]:
    return calendar.loaded_calendars(hall_of(request))
