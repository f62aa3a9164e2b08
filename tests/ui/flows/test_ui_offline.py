"""The hall server goes away in the middle of taking a ticket: the kiosk says so plainly, keeps
trying with the same idempotency key, and issues exactly one ticket once the hall is back."""

from __future__ import annotations

import pytest

from hall_contract import Ticket, TicketBody

pytestmark = pytest.mark.ui


def test_ticket_taken_while_the_hall_is_down_is_issued_once_it_returns(kiosk, flow_helpers):
    kiosk.start_visit()
    kiosk.tap(kiosk.find(id="tile_ticket"))
    screen = kiosk.wait_for_screen("ticket")
    kiosk.wait_until(lambda: screen.service_buttons and not screen.busy, timeout=15, what="services")
    code = next(iter(screen.service_buttons))
    flow_helpers.tap_in_list(kiosk, screen.service_list, screen.service_buttons[code])
    kiosk.wait_until(lambda: screen.step == "priority", what="priority")

    kiosk.stop_hall()
    kiosk.tap(screen.priority_buttons[None])
    unreachable = "暂时无法连接政务服务中心系统，正在自动重试。"
    kiosk.wait_until(lambda: screen.message == unreachable, timeout=30, what="the plain offline message")
    assert screen.step == "priority" and screen.busy
    [pending] = screen.flow.keys.pending()
    key = screen.flow.keys.key_for(pending)
    flow_helpers.shots(kiosk, "ticket_offline", screen.render)

    kiosk.start_hall()
    kiosk.wait_until(lambda: screen.step == "done" and screen.print_outcome is not None, timeout=60,
                     what="the ticket after the hall came back")
    assert screen.message == "" and screen.flow.keys.pending() == []
    ticket = screen.ticket
    replay = kiosk.run(kiosk.app.hall.call(
        kiosk.app.hall.request, "POST", "/tickets", Ticket, body=TicketBody(service=code),
        idempotency_key=key))
    assert replay.id == ticket.id, "every retry carried the key of the first attempt"
    printed = kiosk.wait_until(lambda: kiosk.new_tickets(), timeout=15, what="the printed ticket")
    assert len(printed) == 1 and ticket.number in printed[0].text
