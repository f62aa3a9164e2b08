"""Bookings: create (``POST /bookings``), read, cancel, and check in for a ticket."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from citizen_id.id_number import IdNumberError, parse_id_number
from citizen_id.masking import mask_id_number, mask_name
from hall_server.api import ticketing
from hall_server.api.auth import KIOSK_OR_STAFF, Caller, hall_of
from hall_server.api.catalogue_source import service_entry
from hall_server.api.errors import ApiError
from hall_server.api.fields import FIRST_DAY, LAST_DAY, Text
from hall_server.api.hall_state import HallState
from hall_server.api.idempotency import Create, create_in_writer
from hall_server.api.languages import Lang
from hall_server.api.site_rules import site_or_404
from hall_server.api.slot_lookup import offered_that_day, slots_with_counts
from hall_server.api.tickets import caller_site
from hall_server.domain.booking import (
    ActiveBooking,
    QrPayloadError,
    booking_refusal,
    check_in_refusal,
    find_duplicate,
    new_check_in_code,
    parse_qr_payload,
    qr_payload,
    suspended_until,
)
from hall_server.domain.calendar import SlotIdError, parse_slot_id
from hall_server.store import bookings

router = APIRouter(tags=["bookings"])
BOOKING_ID = Path(min_length=3, max_length=40, pattern=r"^b_[A-Za-z0-9_-]+$")
_RNG = random.SystemRandom()

REFUSAL_STATUS = {"slot_full": 409, "booking_suspended": 403}
REFUSAL_TEXT = {
    "cutoff_passed": "booking for this slot has closed",
    "slot_full": "this slot is fully booked",
    "closed_day": "the hall is closed that day",
    "calendar_unconfirmed": "that day's calendar is not published yet",
    "service_not_offered": "the service is not handled that day",
    "beyond_horizon": "that day is too far ahead",
    "booking_suspended": "booking is suspended after repeated no-shows",
}


class Citizen(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: Text = Field(max_length=32)
    name: Text = Field(min_length=1, max_length=60)
    phone: Text | None = Field(default=None, max_length=20, pattern=r"^\+?[0-9 -]{3,20}$")


class BookingBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service: Text = Field(min_length=1, max_length=32)
    slot_id: Text = Field(min_length=1, max_length=120)
    citizen: Citizen
    channel: Literal["kiosk", "web", "phone", "desk"] = "kiosk"


class CheckInBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    check_in_code: Text | None = Field(default=None, pattern=r"^[0-9]{6}$")
    # Any scanned text: the hall, not the kiosk, tells a booking QR code from anything else (the
    # body limit bounds its length; parse_qr_payload refuses the rest as invalid_qr_payload).
    qr_payload: str | None = None
    id_number: Text | None = Field(default=None, max_length=32)
    site: Text | None = Field(default=None, min_length=1, max_length=32)

    @model_validator(mode="after")
    def _exactly_one(self) -> CheckInBody:
        given = [v for v in (self.check_in_code, self.qr_payload, self.id_number) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of check_in_code, qr_payload, id_number")
        return self


def describe(hall: HallState, row: dict[str, Any], lang: str) -> dict[str, Any]:
    tz = site_or_404(row["site"]).tz
    entry = service_entry(row["service"])
    return {
        "id": row["id"],
        "status": row["status"],
        "service": {"code": row["service"], "name": entry.name(lang) if entry else row["service"]},
        "site": row["site"],
        "slot_id": row["slot_id"],
        "start": row["start"].astimezone(tz).isoformat(),
        "end": row["end"].astimezone(tz).isoformat(),
        "session": row["session"],
        "check_in_code": row["check_in_code"],
        "qr_payload": qr_payload(row["id"], row["check_in_code"]),
        "citizen": {
            "name_masked": mask_name(row["name"]),
            "id_number_masked": mask_id_number(row["id_number"]),
        },
        "channel": row["channel"],
        "where": entry.where(lang) if entry else None,
        "ticket_id": row["ticket_id"],
    }


def _refuse(reason: str) -> ApiError:
    return ApiError(REFUSAL_STATUS.get(reason, 422), reason, REFUSAL_TEXT.get(reason, reason))


def _duplicate_booking() -> ApiError:
    return ApiError(409, "duplicate_booking", "this person already has a booking of this service that day")


def _valid_id(text: str, today: Any) -> str:
    try:
        return parse_id_number(text, today=today).value
    except IdNumberError as exc:
        raise ApiError(
            422, "invalid_id_number", "the ID number is not valid", details={"reason": exc.detail}
        ) from exc


@router.post("/bookings", status_code=201)
async def create_booking(
    body: BookingBody,
    request: Request,
    lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> Response:
    """Book a place in a slot (409 slot_full / duplicate_booking; 422 cutoff_passed, closed_day, …)."""
    prepare = partial(_booking_creation, body, request, lang, caller)
    return await create_in_writer(request, caller, body, prepare)


def _booking_creation(body: BookingBody, request: Request, lang: str, caller: Caller) -> Create:
    hall = hall_of(request)
    now = hall.now()
    try:
        site, service, local_start = parse_slot_id(body.slot_id)
    except SlotIdError as exc:
        raise ApiError(422, "unknown_slot", "no such slot") from exc
    if service != body.service:
        raise ApiError(422, "unknown_slot", "the slot belongs to another service")
    if not FIRST_DAY <= local_start.date() <= LAST_DAY:
        raise ApiError(422, "unknown_slot", "no such slot")
    profile = site_or_404(site)
    if caller.kiosk is not None and caller.kiosk.site != site:
        raise ApiError(422, "unknown_slot", "the slot belongs to another site")
    entry = ticketing.require_service(body.service)
    cal = hall.calendars.site(site)
    id_number = _valid_id(body.citizen.id_number, cal.local(now).date())
    day = local_start.date()
    settings = profile.settings

    def create(conn: Connection) -> tuple[int, dict[str, Any]]:
        counted = slots_with_counts(conn, cal, entry, day)
        match = next(((s, n) for s, n in counted if s.id == body.slot_id), None)
        if match is None and counted:
            raise ApiError(422, "unknown_slot", "no such slot")
        late = timedelta(minutes=settings.check_in_late_minutes)
        bookings.mark_missed(conn, site, id_number, now - late)
        suspended = suspended_until(bookings.no_show_times(conn, site, id_number), now, settings)
        slot, booked = match if match else (None, 0)
        reason = booking_refusal(
            slot,
            now,
            settings,
            booked=booked,
            offered=offered_that_day(cal, entry, day),
            suspended_until=suspended,
        )
        if reason is not None:
            raise _refuse(reason)
        assert slot is not None
        active = [
            ActiveBooking(b["id"], b["id_number"], b["service"], b["day"])
            for b in bookings.active_of_person(conn, site, id_number, day)
        ]
        if find_duplicate(active, id_number, entry.code, day) is not None:
            raise _duplicate_booking()
        bookings.ensure_slot_counter(conn, slot.id, site, entry.code, slot.start, slot.capacity)
        if not bookings.take_place(conn, slot.id):
            raise _refuse("slot_full")
        values = dict(
            id=bookings.new_booking_id(),
            site=site,
            service=entry.code,
            slot_id=slot.id,
            day=day,
            start=slot.start,
            end=slot.end,
            session=slot.session.kind,
            id_number=id_number,
            name=body.citizen.name.strip(),
            phone=body.citizen.phone,
            channel=body.channel,
            status="booked",
            check_in_code=new_check_in_code(_RNG, bookings.codes_taken(conn, site, day)),
            ticket_id=None,
            created_by=caller.scope,
            created_at=now,
            cancelled_at=None,
        )
        try:
            with conn.begin_nested():
                row = bookings.insert_booking(conn, **values)
        except IntegrityError as exc:
            # The partial unique index caught a concurrent duplicate that the read above could not see.
            raise _duplicate_booking() from exc
        return 201, describe(hall, row, lang)

    return create


@router.get("/bookings/{booking_id}")
def get_booking(
    request: Request,
    booking_id: str = BOOKING_ID,
    lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> dict[str, Any]:
    hall = hall_of(request)
    with hall.db.read() as conn:
        row = bookings.get(conn, booking_id)
    if row is None:
        raise ApiError(404, "booking_not_found", "no such booking")
    return describe(hall, row, lang)


@router.delete("/bookings/{booking_id}")
def cancel_booking(
    request: Request,
    booking_id: str = BOOKING_ID,
    lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> dict[str, Any]:
    """Cancel a booking and free its place (cancelling twice answers the cancelled booking)."""
    hall = hall_of(request)
    now = hall.now()
    with hall.db.write() as conn:
        row = bookings.get(conn, booking_id)
        if row is None:
            raise ApiError(404, "booking_not_found", "no such booking")
        if row["status"] == "booked":
            bookings.set_status(conn, booking_id, ("booked",), status="cancelled", cancelled_at=now)
            bookings.free_place(conn, row["slot_id"])
            row = {**row, "status": "cancelled", "cancelled_at": now}
        elif row["status"] != "cancelled":
            raise ApiError(409, "not_cancellable", f"a booking that is {row['status']} cannot be cancelled")
    return describe(hall, row, lang)


def _find_for_check_in(
    conn: Connection, hall: HallState, site: str, body: CheckInBody, now: datetime
) -> dict[str, Any]:
    cal = hall.calendars.site(site)
    today = cal.local(now).date()
    if body.qr_payload is not None:
        try:
            booking_id, code = parse_qr_payload(body.qr_payload)
        except QrPayloadError as exc:
            raise ApiError(422, "invalid_qr_payload", "not a booking QR code") from exc
        row = bookings.get(conn, booking_id)
        if row is None or row["check_in_code"] != code or row["site"] != site:
            raise ApiError(404, "booking_not_found", "no such booking")
        return row
    if body.check_in_code is not None:
        candidates = [
            b for b in bookings.booked_on_day(conn, site, today) if b["check_in_code"] == body.check_in_code
        ]
    else:
        assert body.id_number is not None
        id_number = _valid_id(body.id_number, today)
        candidates = bookings.active_of_person(conn, site, id_number, today)
    if not candidates:
        raise ApiError(404, "booking_not_found", "no booking today matches")
    # Several bookings of one person today: the one whose slot is nearest now.
    return min(candidates, key=lambda b: abs((b["start"] - now).total_seconds()))


@router.post("/bookings/check-in", status_code=201)
async def check_in(
    body: CheckInBody,
    request: Request,
    lang: Lang = Query("zh-Hans"),
    caller: Caller = Depends(KIOSK_OR_STAFF),
) -> Response:
    """Check a booking in: a ticket served ahead of walk-ins within its slot window."""
    prepare = partial(_check_in_creation, body, request, lang, caller)
    return await create_in_writer(request, caller, body, prepare)


def _check_in_creation(body: CheckInBody, request: Request, lang: str, caller: Caller) -> Create:
    hall = hall_of(request)
    site = caller_site(caller, body.site)
    profile = site_or_404(site)
    now = hall.now()
    base_url = str(request.base_url)

    def create(conn: Connection) -> tuple[int, dict[str, Any]]:
        row = _find_for_check_in(conn, hall, site, body, now)
        if row["status"] == "checked_in":
            raise ApiError(
                409,
                "already_checked_in",
                "this booking has its ticket already",
                extra={"ticket_id": row["ticket_id"]},
            )
        if row["status"] != "booked":
            raise ApiError(404, "booking_not_found", f"the booking is {row['status']}")
        refusal = check_in_refusal(now, row["start"], profile.settings)
        if refusal is not None:
            raise ApiError(422, refusal, "outside the check-in window of the booking")
        entry = ticketing.require_service(row["service"])
        ticket = ticketing.issue(
            conn, hall, site=site, entry=entry, now=now, booking_id=row["id"], slot_start=row["start"]
        )
        if not bookings.set_status(conn, row["id"], ("booked",), status="checked_in", ticket_id=ticket["id"]):
            raise ApiError(409, "already_checked_in", "this booking has its ticket already")
        return 201, ticketing.describe(conn, hall, ticket, now, lang, base_url)

    return create
