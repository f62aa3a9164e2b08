"""What the hall server returns (docs/api.md), as typed values parsed from its JSON.

A parser raises KeyError, TypeError or ValueError on a malformed body; the client turns those into
``HallError("bad_response")``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} is not a string")
    return value


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _text(data: Mapping[str, Any], key: str) -> str:
    """An optional string, empty when absent."""
    return _opt_str(data, key) or ""


def _flag(data: Mapping[str, Any], key: str, default: bool = False) -> bool:
    return bool(data.get(key, default))


def _datetime(data: Mapping[str, Any], key: str) -> datetime:
    return datetime.fromisoformat(_str(data, key))


def _opt_datetime(data: Mapping[str, Any], key: str) -> datetime | None:
    value = _opt_str(data, key)
    return datetime.fromisoformat(value) if value else None


def _items(data: Mapping[str, Any], key: str) -> Any:
    """A list member, empty when absent or null."""
    return data.get(key) or ()


def _int(data: Mapping[str, Any], key: str, default: int | None = None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{key} is not an integer")
    return value


@dataclass(frozen=True)
class Department:
    code: str
    name: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Department:
        return cls(_str(data, "code"), _str(data, "name"))


@dataclass(frozen=True)
class Material:
    name: str
    copies: str = ""
    note: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Material:
        return cls(_str(data, "name"), _text(data, "copies"), _text(data, "note"))


@dataclass(frozen=True)
class Guide:
    materials: tuple[Material, ...]
    steps: tuple[str, ...]
    time_limit: str
    fee: str
    where: str
    legal_basis: str = ""
    notes: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Guide:
        return cls(
            materials=tuple(Material.from_json(m) for m in _items(data, "materials")),
            steps=tuple(str(s) for s in _items(data, "steps")),
            time_limit=_text(data, "time_limit"),
            fee=_text(data, "fee"),
            where=_text(data, "where"),
            legal_basis=_text(data, "legal_basis"),
            notes=tuple(str(n) for n in _items(data, "notes")),
        )


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    department: Department
    queue: str = ""
    bookable: bool = False
    pinyin_initials: str = ""
    guide: Guide | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Service:
        guide = data.get("guide")
        return cls(
            code=_str(data, "code"),
            name=_str(data, "name"),
            department=Department.from_json(data["department"]),
            queue=_text(data, "queue"),
            bookable=_flag(data, "bookable"),
            pinyin_initials=_text(data, "pinyin_initials"),
            guide=Guide.from_json(guide) if isinstance(guide, Mapping) else None,
            raw=dict(data),
        )


@dataclass(frozen=True)
class Catalogue:
    services: tuple[Service, ...]
    departments: tuple[Department, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Catalogue:
        services = tuple(Service.from_json(s) for s in _items(data, "services"))
        departments = tuple(Department.from_json(d) for d in _items(data, "departments"))
        if not departments:
            seen: dict[str, Department] = {}
            for service in services:
                seen.setdefault(service.department.code, service.department)
            departments = tuple(seen.values())
        return cls(services, departments)


@dataclass(frozen=True)
class SessionTime:
    """One opening session of a day: ``regular``, ``evening``, ``morning`` or ``self_service``."""

    kind: str
    start: str
    end: str
    booking_cutoff: datetime | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SessionTime:
        return cls(
            kind=_str(data, "kind"),
            start=_str(data, "start"),
            end=_str(data, "end"),
            booking_cutoff=_opt_datetime(data, "booking_cutoff"),
        )


@dataclass(frozen=True)
class CalendarDay:
    date: date
    weekday: int
    workday: bool
    holiday: str | None
    adjusted_workday: bool
    calendar_confirmed: bool
    sessions: tuple[SessionTime, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CalendarDay:
        day = date.fromisoformat(_str(data, "date"))
        return cls(
            date=day,
            weekday=_int(data, "weekday", day.isoweekday()),
            workday=_flag(data, "workday"),
            holiday=_opt_str(data, "holiday"),
            adjusted_workday=_flag(data, "adjusted_workday"),
            calendar_confirmed=_flag(data, "calendar_confirmed", True),
            sessions=tuple(SessionTime.from_json(s) for s in _items(data, "sessions")),
        )


@dataclass(frozen=True)
class Slot:
    id: str
    start: datetime
    end: datetime
    session: str
    capacity: int
    remaining: int
    bookable: bool
    reason: str | None
    booking_cutoff: datetime | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Slot:
        return cls(
            id=_str(data, "id"),
            start=_datetime(data, "start"),
            end=_datetime(data, "end"),
            session=_opt_str(data, "session") or "regular",
            capacity=_int(data, "capacity", 0),
            remaining=_int(data, "remaining", 0),
            bookable=_flag(data, "bookable"),
            reason=_opt_str(data, "reason"),
            booking_cutoff=_opt_datetime(data, "booking_cutoff"),
        )


@dataclass(frozen=True)
class SlotList:
    service: str
    date: date
    calendar_confirmed: bool
    slots: tuple[Slot, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SlotList:
        return cls(
            service=_str(data, "service"),
            date=date.fromisoformat(_str(data, "date")),
            calendar_confirmed=_flag(data, "calendar_confirmed", True),
            slots=tuple(Slot.from_json(s) for s in _items(data, "slots")),
        )


@dataclass(frozen=True)
class Booking:
    id: str
    status: str
    service_code: str
    service_name: str
    start: datetime
    end: datetime
    session: str
    check_in_code: str
    qr_payload: str
    name_masked: str
    id_number_masked: str
    where: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Booking:
        service = data.get("service") or {}
        citizen = data.get("citizen") or {}
        return cls(
            id=_str(data, "id"),
            status=_opt_str(data, "status") or "booked",
            service_code=_text(service, "code"),
            service_name=_text(service, "name"),
            start=_datetime(data, "start"),
            end=_datetime(data, "end"),
            session=_opt_str(data, "session") or "regular",
            check_in_code=_str(data, "check_in_code"),
            qr_payload=_str(data, "qr_payload"),
            name_masked=_text(citizen, "name_masked"),
            id_number_masked=_text(citizen, "id_number_masked"),
            where=_text(data, "where"),
        )


@dataclass(frozen=True)
class Ticket:
    id: str
    number: str
    queue: str
    service_code: str
    service_name: str
    status: str
    priority: str | None
    booking_id: str | None
    issued_at: datetime | None
    people_ahead: int
    estimated_wait_s: int
    tracking_url: str
    counter: str | None
    where: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Ticket:
        service = data.get("service") or {}
        return cls(
            id=_str(data, "id"),
            number=_str(data, "number"),
            queue=_text(data, "queue"),
            service_code=_text(service, "code"),
            service_name=_text(service, "name"),
            status=_opt_str(data, "status") or "waiting",
            priority=_opt_str(data, "priority"),
            booking_id=_opt_str(data, "booking_id"),
            issued_at=_opt_datetime(data, "issued_at"),
            people_ahead=_int(data, "people_ahead", 0),
            estimated_wait_s=_int(data, "estimated_wait_s", 0),
            tracking_url=_text(data, "tracking_url"),
            counter=_opt_str(data, "counter"),
            where=_text(data, "where"),
        )


@dataclass(frozen=True)
class RecordColumn:
    key: str
    label: str


@dataclass(frozen=True)
class RecordsResult:
    kind: str
    title: str
    columns: tuple[RecordColumn, ...]
    rows: tuple[dict[str, str], ...]
    total_rows: int
    generated_at: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RecordsResult:
        columns = tuple(RecordColumn(_str(c, "key"), _str(c, "label")) for c in _items(data, "columns"))
        rows = tuple(
            {str(k): "" if v is None else str(v) for k, v in row.items()} for row in _items(data, "rows")
        )
        return cls(
            kind=_str(data, "kind"),
            title=_text(data, "title"),
            columns=columns,
            rows=rows,
            total_rows=_int(data, "total_rows", len(rows)),
            generated_at=_text(data, "generated_at"),
        )


@dataclass(frozen=True)
class ReviewReason:
    code: str
    label: str


@dataclass(frozen=True)
class ReviewLevel:
    level: int
    label: str
    reasons: tuple[ReviewReason, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReviewLevel:
        return cls(
            level=_int(data, "level"),
            label=_text(data, "label"),
            reasons=tuple(ReviewReason(_str(r, "code"), _str(r, "label")) for r in _items(data, "reasons")),
        )


@dataclass(frozen=True)
class ReviewResult:
    id: str
    level: int
    follow_up_due: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReviewResult:
        follow_up = data.get("follow_up")
        due = _opt_str(follow_up, "due") if isinstance(follow_up, Mapping) else None
        return cls(id=_str(data, "id"), level=_int(data, "level"), follow_up_due=due)


@dataclass(frozen=True)
class AssistStatus:
    staffed_now: bool
    agents_online: int
    callers_waiting: int
    next_open: datetime | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AssistStatus:
        return cls(
            staffed_now=_flag(data, "staffed_now"),
            agents_online=_int(data, "agents_online", 0),
            callers_waiting=_int(data, "callers_waiting", 0),
            next_open=_opt_datetime(data, "next_open"),
        )
