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
        return cls(_str(data, "name"), _opt_str(data, "copies") or "", _opt_str(data, "note") or "")


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
            materials=tuple(Material.from_json(m) for m in data.get("materials") or ()),
            steps=tuple(str(s) for s in data.get("steps") or ()),
            time_limit=_opt_str(data, "time_limit") or "",
            fee=_opt_str(data, "fee") or "",
            where=_opt_str(data, "where") or "",
            legal_basis=_opt_str(data, "legal_basis") or "",
            notes=tuple(str(n) for n in data.get("notes") or ()),
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
            queue=_opt_str(data, "queue") or "",
            bookable=bool(data.get("bookable", False)),
            pinyin_initials=_opt_str(data, "pinyin_initials") or "",
            guide=Guide.from_json(guide) if isinstance(guide, Mapping) else None,
            raw=dict(data),
        )


@dataclass(frozen=True)
class Catalogue:
    services: tuple[Service, ...]
    departments: tuple[Department, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Catalogue:
        services = tuple(Service.from_json(s) for s in data.get("services") or ())
        departments = tuple(Department.from_json(d) for d in data.get("departments") or ())
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
        cutoff = _opt_str(data, "booking_cutoff")
        return cls(
            kind=_str(data, "kind"),
            start=_str(data, "start"),
            end=_str(data, "end"),
            booking_cutoff=datetime.fromisoformat(cutoff) if cutoff else None,
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
            workday=bool(data.get("workday", False)),
            holiday=_opt_str(data, "holiday"),
            adjusted_workday=bool(data.get("adjusted_workday", False)),
            calendar_confirmed=bool(data.get("calendar_confirmed", True)),
            sessions=tuple(SessionTime.from_json(s) for s in data.get("sessions") or ()),
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
        cutoff = _opt_str(data, "booking_cutoff")
        return cls(
            id=_str(data, "id"),
            start=datetime.fromisoformat(_str(data, "start")),
            end=datetime.fromisoformat(_str(data, "end")),
            session=_opt_str(data, "session") or "regular",
            capacity=_int(data, "capacity", 0),
            remaining=_int(data, "remaining", 0),
            bookable=bool(data.get("bookable", False)),
            reason=_opt_str(data, "reason"),
            booking_cutoff=datetime.fromisoformat(cutoff) if cutoff else None,
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
            calendar_confirmed=bool(data.get("calendar_confirmed", True)),
            slots=tuple(Slot.from_json(s) for s in data.get("slots") or ()),
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
            service_code=_opt_str(service, "code") or "",
            service_name=_opt_str(service, "name") or "",
            start=datetime.fromisoformat(_str(data, "start")),
            end=datetime.fromisoformat(_str(data, "end")),
            session=_opt_str(data, "session") or "regular",
            check_in_code=_str(data, "check_in_code"),
            qr_payload=_str(data, "qr_payload"),
            name_masked=_opt_str(citizen, "name_masked") or "",
            id_number_masked=_opt_str(citizen, "id_number_masked") or "",
            where=_opt_str(data, "where") or "",
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
        issued = _opt_str(data, "issued_at")
        return cls(
            id=_str(data, "id"),
            number=_str(data, "number"),
            queue=_opt_str(data, "queue") or "",
            service_code=_opt_str(service, "code") or "",
            service_name=_opt_str(service, "name") or "",
            status=_opt_str(data, "status") or "waiting",
            priority=_opt_str(data, "priority"),
            booking_id=_opt_str(data, "booking_id"),
            issued_at=datetime.fromisoformat(issued) if issued else None,
            people_ahead=_int(data, "people_ahead", 0),
            estimated_wait_s=_int(data, "estimated_wait_s", 0),
            tracking_url=_opt_str(data, "tracking_url") or "",
            counter=_opt_str(data, "counter"),
            where=_opt_str(data, "where") or "",
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
        columns = tuple(RecordColumn(_str(c, "key"), _str(c, "label")) for c in data.get("columns") or ())
        rows = tuple(
            {str(k): "" if v is None else str(v) for k, v in row.items()} for row in data.get("rows") or ()
        )
        return cls(
            kind=_str(data, "kind"),
            title=_opt_str(data, "title") or "",
            columns=columns,
            rows=rows,
            total_rows=_int(data, "total_rows", len(rows)),
            generated_at=_opt_str(data, "generated_at") or "",
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
            label=_opt_str(data, "label") or "",
            reasons=tuple(ReviewReason(_str(r, "code"), _str(r, "label")) for r in data.get("reasons") or ()),
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
        next_open = _opt_str(data, "next_open")
        return cls(
            staffed_now=bool(data.get("staffed_now", False)),
            agents_online=_int(data, "agents_online", 0),
            callers_waiting=_int(data, "callers_waiting", 0),
            next_open=datetime.fromisoformat(next_open) if next_open else None,
        )
