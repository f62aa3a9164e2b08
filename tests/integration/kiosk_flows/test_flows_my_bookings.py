"""A citizen's own bookings against a real hall server: listed with a card's proof, moved by the hall's
rules with a slip for the new time that says what it replaces, cancelled; a stranger gets nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from hall_contract import CardProof
from kiosk.flows.booking import BookingFlow
from kiosk.flows.my_bookings import MyBookingsFlow, booking_when
from kiosk.flows.proof import card_proof
from kiosk.hall_client import HallError
from kiosk.session import Identity
from terminal_drivers.printer.printer import Printer

pytestmark = pytest.mark.slow

THURSDAY = date(2026, 11, 26)
HallProcess = Any  # the conftest's server handle


def carded(make_id_number: Callable[[int], str], serial: int, name: str = "王芳") -> Identity:
    # A card the kiosk's reader read in this visit (the card itself is not needed by the flow).
    return Identity(name=name, id_number=make_id_number(serial), source="id_card", card=object())


async def test_list_move_with_a_slip_then_cancel(
    wednesday_morning: HallProcess, printer_sim: tuple[Any, str], make_id_number: Callable[[int], str]
) -> None:
    engine, port = printer_sim
    me = carded(make_id_number, 41)
    proof = card_proof(me)
    assert proof == CardProof(type="card")
    with wednesday_morning.client() as hall:
        booking = BookingFlow(hall, "HQ")
        slots = [s for s in await booking.slots("SB-001", THURSDAY) if s.bookable]
        first = await booking.confirm("SB-001", slots[0], me)
        flow = MyBookingsFlow(hall, "HQ")
        [held] = await flow.bookings(me, proof, "en")
        assert held.id == first.id and held.movable and held.session_name
        assert held.check_in_code == first.check_in_code and held.service_name != first.service_name
        target = slots[3]
        moved = await flow.move(held, target, me, proof)
        assert moved.replaces == held.id and moved.slot_id == target.id and moved.id != held.id
        async with Printer(port) as printer:
            outcome = await flow.print_slip(printer, moved, held, hall_name="示范区政务服务中心",
                                            lang="zh_Hans")
        assert outcome.printed
        [slip] = engine.tickets
        printed = "".join(slip.text.split())
        assert moved.check_in_code in printed and held.check_in_code not in printed
        said = f"本预约替代您原来的预约：{booking_when(held, 'zh_Hans')}原预约凭条和签到码已作废"
        assert "".join(said.split()) in printed
        assert f"{moved.start:%H:%M}-{moved.end:%H:%M}" in printed
        # The move shows in the list; the old slot's place is free again.
        assert [b.id for b in await flow.bookings(me, proof)] == [moved.id]
        again = {s.id: s for s in await booking.slots("SB-001", THURSDAY)}
        assert again[slots[0].id].remaining == slots[0].remaining
        assert again[target.id].remaining == target.remaining - 1
        cancelled = await flow.cancel(held.model_copy(update={"id": moved.id}), me, proof)
        assert cancelled.status == "cancelled"
        assert await flow.bookings(me, proof) == []


async def test_refusals_reach_the_kiosk_as_codes_and_change_nothing(
    wednesday_morning: HallProcess, make_id_number: Callable[[int], str]
) -> None:
    me, stranger = carded(make_id_number, 42), carded(make_id_number, 43, "李雷")
    typed = Identity(name=me.name, id_number=me.id_number, source="typed")
    with wednesday_morning.client() as hall:
        booking = BookingFlow(hall, "HQ")
        slots = [s for s in await booking.slots("SB-001", THURSDAY) if s.bookable]
        await booking.confirm("SB-001", slots[0], me)
        flow = MyBookingsFlow(hall, "HQ")
        # A typed number is no proof: the kiosk has none to send.
        assert card_proof(typed) is None
        with pytest.raises(HallError) as bare:
            await flow.bookings(typed, None)
        assert bare.value.code == "proof_required"
        [held] = await flow.bookings(me, card_proof(me))
        for attempt in (flow.cancel(held, stranger, card_proof(stranger)),
                        flow.move(held, slots[1], stranger, card_proof(stranger))):
            with pytest.raises(HallError) as refused:
                await attempt
            assert refused.value.code == "booking_not_found"
        with pytest.raises(HallError) as same:
            await flow.move(held, slots[0], me, card_proof(me))
        assert same.value.code == "same_slot"
        assert [b.id for b in await flow.bookings(me, card_proof(me))] == [held.id]
