"""Booking against a real hall server: Wednesday evening before and after its cut-off, Saturday
morning, a holiday greyed, a full slot, a duplicate booking, and the slip at the printer simulator.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from hall_contract import Slot
from kiosk.flows.booking import BookingFlow
from kiosk.flows.words import cutoff_text
from kiosk.hall_client import HallError
from kiosk.session import Identity
from terminal_drivers.printer.printer import Printer

pytestmark = pytest.mark.slow

WEDNESDAY = date(2026, 11, 25)
SATURDAY = date(2026, 11, 28)


HallProcess = Any  # the conftest's server handle


@pytest.fixture
def citizen(make_id_number: Callable[[int], str]) -> Callable[[int], Identity]:
    def make(serial: int, name: str = "张三") -> Identity:
        return Identity(name=name, id_number=make_id_number(serial), source="typed")

    return make


async def _session_slots(flow: BookingFlow, day: date, session: str) -> tuple[str, list[Slot]]:
    """A bookable service with slots in ``session`` on ``day`` (the demo catalogue decides which)."""
    for service in await flow.services():
        slots = [s for s in await flow.slots(service.code, day) if s.session == session]
        if slots:
            return service.code, slots
    raise AssertionError(f"no service offers a {session} session on {day}")


async def test_wednesday_evening_before_cutoff_books_and_prints_the_slip(
    wednesday_morning: HallProcess, printer_sim: tuple[Any, str], citizen: Callable[..., Identity]
) -> None:
    engine, port = printer_sim
    with wednesday_morning.client() as hall:
        flow = BookingFlow(hall, "HQ")
        view = await flow.month(2026, 11)
        assert view.today == WEDNESDAY and view.bookable_until == date(2026, 12, 25)
        cell = view.day(WEDNESDAY)
        assert cell is not None and cell.open and cell.special is not None
        evening = next(s for s in cell.sessions if s.kind == "evening")
        assert evening.name == "周三夜市"
        assert evening.booking_cutoff is not None
        assert cutoff_text(WEDNESDAY, evening.booking_cutoff, "en") == "Book by 12:00 the same day"

        service, slots = await _session_slots(flow, WEDNESDAY, "evening")
        slot = next(s for s in slots if s.bookable)
        assert slot.reason is None and slot.remaining > 0 and slot.session_name == "周三夜市"
        booking = await flow.confirm(service, slot, citizen(1))
        assert booking.session == "evening" and len(booking.check_in_code) == 6
        assert booking.qr_payload.startswith("GOVBK1:") and "4477" not in booking.name_masked
        after = next(s for s in await flow.slots(service, WEDNESDAY) if s.id == slot.id)
        assert after.remaining == slot.remaining - 1

        async with Printer(port) as printer:
            outcome = await flow.print_slip(printer, booking, hall_name="示范区政务服务中心", lang="zh_Hans",
                                            session_name=slot.session_name)
    assert outcome.printed, outcome
    [ticket] = engine.tickets
    assert booking.check_in_code in ticket.text and "周三夜市" in ticket.text
    with wednesday_morning.client() as hall:
        guide = (await hall.call(hall.service, service)).guide
    assert guide is not None and "请携带" in ticket.text and guide.materials[0].name in ticket.text
    assert ticket.qr_payloads == [booking.qr_payload]


async def test_wednesday_evening_after_cutoff_is_refused(
    hall_server_factory: Callable[[str], HallProcess], citizen: Callable[..., Identity]
) -> None:
    server = hall_server_factory("2026-11-25T12:01:00+08:00")
    with server.client() as hall:
        flow = BookingFlow(hall, "HQ")
        service, slots = await _session_slots(flow, WEDNESDAY, "evening")
        assert all(not s.bookable and s.reason == "cutoff_passed" for s in slots)
        with pytest.raises(HallError) as info:
            await flow.confirm(service, slots[0], citizen(2))
    assert info.value.code == "cutoff_passed"


async def test_saturday_morning_is_bookable_until_friday_noon(
    wednesday_morning: HallProcess, citizen: Callable[..., Identity]
) -> None:
    with wednesday_morning.client() as hall:
        flow = BookingFlow(hall, "HQ")
        cell = (await flow.month(2026, 11, lang="en")).day(SATURDAY)
        assert cell is not None and [s.kind for s in cell.sessions] == ["morning"]
        morning = cell.sessions[0]
        assert morning.name == "Saturday Morning Service"
        assert morning.booking_cutoff is not None and morning.booking_cutoff.date() == date(2026, 11, 27)
        assert cutoff_text(SATURDAY, morning.booking_cutoff, "zh_Hans") == "请于前一天（周五）12:00前预约"
        service, slots = await _session_slots(flow, SATURDAY, "morning")
        booking = await flow.confirm(service, next(s for s in slots if s.bookable), citizen(3))
    assert booking.session == "morning" and booking.start.date() == SATURDAY


async def test_national_day_is_greyed_with_its_name(
    hall_server_factory: Callable[[str], HallProcess],
) -> None:
    server = hall_server_factory("2026-09-28T10:00:00+08:00")
    with server.client() as hall:
        flow = BookingFlow(hall, "HQ")
        view = await flow.month(2026, 10, lang="zh_Hans")
        view_en = await flow.month(2026, 10, lang="en")
    first = view.day(date(2026, 10, 1))
    assert first is not None and first.holiday == "国庆节" and not first.open and first.sessions == ()
    wednesday = view.day(date(2026, 10, 7))  # a Wednesday inside the holiday: no evening session
    assert wednesday is not None and wednesday.holiday and wednesday.special is None
    assert view_en.day(date(2026, 10, 1)).holiday == "National Day"  # type: ignore[union-attr]
    after = view.day(date(2026, 10, 14))
    assert after is not None and after.special is not None and after.special.kind == "evening" and after.open


async def test_full_slot_and_duplicate_booking(
    wednesday_morning: HallProcess, citizen: Callable[..., Identity]
) -> None:
    with wednesday_morning.client() as hall:
        flow = BookingFlow(hall, "HQ")
        service, slots = await _session_slots(flow, WEDNESDAY, "evening")
        slot = next(s for s in slots if s.bookable)
        for serial in range(10, 10 + slot.remaining):
            await flow.confirm(service, slot, citizen(serial))
        full = next(s for s in await flow.slots(service, WEDNESDAY) if s.id == slot.id)
        assert (full.remaining, full.bookable, full.reason) == (0, False, "slot_full")
        with pytest.raises(HallError) as info:
            await flow.confirm(service, slot, citizen(99))
        assert info.value.code == "slot_full"

        other = next(s for s in slots if s.id != slot.id and s.bookable)
        with pytest.raises(HallError) as dup:
            await flow.confirm(service, other, citizen(10))
        assert dup.value.code == "duplicate_booking"


async def test_days_past_the_booking_horizon_are_not_offered(wednesday_morning: HallProcess) -> None:
    with wednesday_morning.client() as hall:
        flow = BookingFlow(hall, "HQ")
        december = await flow.month(2026, 12)
    # HQ books 30 days ahead: 25 November → 25 December, and no month after December.
    last, beyond = december.day(date(2026, 12, 25)), december.day(date(2026, 12, 28))
    assert last is not None and last.open
    assert beyond is not None and not beyond.open and beyond.reason == "beyond_horizon"
    assert not december.can_go_on


async def test_each_heading_of_the_halls_slots_gives_its_own_sessions_hours(
    wednesday_morning: HallProcess,
) -> None:
    from kiosk.flows.booking import slot_groups

    with wednesday_morning.client() as hall:
        flow = BookingFlow(hall, "HQ")
        view = await flow.month(2026, 11)
        cell = view.day(WEDNESDAY)
        assert cell is not None
        code, _evening = await _session_slots(flow, WEDNESDAY, "evening")
        slots = await flow.slots(code, WEDNESDAY)
    groups = slot_groups(slots, cell)
    hours = [heading.split(" · ")[0].rsplit(" ", 1)[1] for heading, _members in groups]
    assert hours == ["09:00-12:00", "13:00-17:00", "17:00-21:00"]
    for (heading, members), span in zip(groups, hours, strict=True):
        begins, ends = span.split("-")
        assert all(begins <= f"{s.start:%H:%M}" < ends for s in members), heading
    assert sum(len(members) for _heading, members in groups) == len(slots)


async def test_the_slip_says_when_each_material_is_needed(
    wednesday_morning: HallProcess, printer_sim: tuple[Any, str], citizen: Callable[..., Identity]
) -> None:
    engine, port = printer_sim
    with wednesday_morning.client() as hall:
        flow = BookingFlow(hall, "HQ")
        # The passport: its old passport only when renewing, the guardian's papers only for minors.
        slot = next(s for s in await flow.slots("CR-001", WEDNESDAY) if s.bookable)
        booking = await flow.confirm("CR-001", slot, citizen(40))
        async with Printer(port) as printer:
            outcome = await flow.print_slip(printer, booking, hall_name="示范区政务服务中心", lang="zh_Hans",
                                            session_name=slot.session_name)
    assert outcome.printed, outcome
    [slip] = engine.tickets
    _keep_png("flows_booking_slip_materials.png", slip.png)
    printed = "".join(slip.text.split())
    assert "原护照（换发、补发时提供）" in printed
    assert "监护人身份证明及监护关系证明（未满十六周岁的申请人提供）" in printed
    assert "居民身份证" in printed and "居民身份证（" not in printed


def _keep_png(name: str, png: bytes) -> None:
    """A printed slip as a picture beside the UI screenshots, to be looked at."""
    from pathlib import Path

    artifacts = Path(__file__).resolve().parents[3] / "artifacts" / "ui"
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / name).write_bytes(png)
