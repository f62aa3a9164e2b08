"""Walk-in tickets and booking check-in against a real hall server, printed at the simulator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from kiosk.flows.booking import BookingFlow
from kiosk.flows.ticket import NotABookingCode, TicketFlow
from kiosk.hall_client import HallError
from kiosk.session import Identity
from terminal_drivers.printer.printer import Printer

pytestmark = pytest.mark.slow

HallProcess = Any
WEDNESDAY = date(2026, 11, 25)


async def test_walk_in_tickets_number_in_order_and_print_with_tracking_qr(
    wednesday_morning: HallProcess, printer_sim: tuple[Any, str]
) -> None:
    engine, port = printer_sim
    with wednesday_morning.client() as hall:
        flow = TicketFlow(hall)
        service = (await flow.services())[0]
        first = await flow.walk_in(service.code)
        second = await flow.walk_in(service.code, priority="elderly")
        assert first.number != second.number and first.queue == second.queue
        assert second.people_ahead >= 0 and second.priority == "elderly"
        assert first.tracking_url.endswith(first.id)
        async with Printer(port) as printer:
            outcome = await flow.print_ticket(printer, first, hall_name="示范区政务服务中心", lang="zh_Hans")
            marked = await flow.print_ticket(printer, second, hall_name="示范区政务服务中心", lang="zh_Hant")
    assert outcome.printed and marked.printed
    printed, priority = engine.tickets
    assert first.number in printed.text and printed.qr_payloads == [first.tracking_url]
    # A green-channel ticket says so, for the clerk to check the proof; a normal one does not.
    assert "綠色通道：65週歲及以上長者" in priority.text and "請向窗口工作人員出示相關證明" in priority.text
    assert "绿色通道" not in printed.text and "出示相关证明" not in printed.text


async def test_check_in_by_qr_and_by_id_card(
    hall_server_factory: Callable[[str], HallProcess], make_id_number: Callable[[int], str]
) -> None:
    server = hall_server_factory("2026-11-25T10:00:00+08:00")
    alice = Identity(name="李四", id_number=make_id_number(21), source="id_card")
    bob = Identity(name="王五", id_number=make_id_number(22), source="id_card")
    with server.client() as hall:
        booking_flow = BookingFlow(hall, "HQ")
        bookings = {}
        for service in await booking_flow.services():
            slots = [s for s in await booking_flow.slots(service.code, WEDNESDAY) if s.bookable]
            if slots:
                slot = min(slots, key=lambda s: s.start)
                bookings["alice"] = await booking_flow.confirm(service.code, slot, alice)
                bookings["bob"] = await booking_flow.confirm(service.code, slot, bob)
                break
        assert bookings, "no bookable slot today"
    start = bookings["alice"].start
    # Come back a few minutes before the booked time: the check-in window is open.
    server.stop()
    server.start(now=(start - timedelta(minutes=5)).isoformat())
    with server.client() as hall:
        flow = TicketFlow(hall)
        with pytest.raises(NotABookingCode):
            await flow.check_in_qr(b"https://example.org/not-a-booking")
        by_qr = await flow.check_in_qr(bookings["alice"].qr_payload.encode())
        assert by_qr.booking_id == bookings["alice"].id
        by_card = await flow.check_in_identity(bob)
        assert by_card.booking_id == bookings["bob"].id and by_card.number != by_qr.number
        with pytest.raises(HallError) as again:
            await TicketFlow(hall).check_in_qr(bookings["alice"].qr_payload)
    assert again.value.code == "already_checked_in"


async def test_no_walk_in_on_a_sunday_says_when_the_hall_opens(
    hall_server_factory: Callable[[str], HallProcess],
) -> None:
    server = hall_server_factory("2026-11-29T10:00:00+08:00")
    with server.client() as hall:
        flow = TicketFlow(hall)
        service = (await flow.services())[0]
        with pytest.raises(HallError) as closed:
            await flow.walk_in(service.code)
    assert closed.value.code == "queue_closed"
    assert closed.value.details["next_open"].startswith("2026-11-30T")


async def test_ticket_speaks_the_citizens_language(wednesday_morning: HallProcess) -> None:
    with wednesday_morning.client() as hall:
        flow = TicketFlow(hall)
        [english, chinese] = [
            {s.code: s for s in await flow.services(lang=lang)} for lang in ("en", "zh_Hans")
        ]
        code = next(iter(english))
        ticket = await flow.walk_in(code, lang="en")
        assert ticket.service_name == english[code].name != chinese[code].name
        again = await hall.call(hall.get_ticket, ticket.id, "zh_Hant")
        assert again.number == ticket.number and again.service_name not in (english[code].name, "")
