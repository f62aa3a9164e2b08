"""Printed jobs follow the configured printer's paper: a GBK printer never gets GB18030-only bytes, and
the ticket flow lays its ticket out for the paper the printer says it holds."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hall_contract import Ticket
from kiosk.flows.slips import queue_ticket_job
from kiosk.flows.ticket import TicketFlow
from terminal_drivers.printer.paper import PaperFormat
from terminal_drivers.sim.printer import PrinterEngine

SHANGHAI = timezone(timedelta(hours=8))
# 䶮 (CJK Extension A, as in the name 刘䶮) is two bytes FE 9F in GB18030 and absent from GBK.
RARE = "䶮"


def ticket() -> Ticket:
    return Ticket(
        id="t_1", number="A001", queue="A", service={"code": "SB-001", "name": f"刘{RARE}的事项"},
        status="waiting", priority=None, booking_id=None,
        issued_at=datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI), people_ahead=2,
        estimated_wait_s=300, tracking_url="http://127.0.0.1/t/t_1", counter=None, where="一楼",
    )


@pytest.mark.parametrize(("encoding", "rare_printed"), [("gb18030", True), ("gbk", False)])
def test_queue_ticket_job_uses_the_printer_encoding(encoding: str, rare_printed: bool) -> None:
    paper = PaperFormat(576, encoding)
    job = queue_ticket_job(ticket(), hall_name="示范区政务服务中心", lang="zh_Hans", paper=paper)
    assert ("刘".encode("gbk") + RARE.encode("gb18030") in job) is rare_printed
    assert "示范区政务服务中心".encode("gbk") in job


class _NarrowPrinter:
    """A 58 mm GBK printer: the simulator engine behind the flows' printer protocol."""

    paper = PaperFormat(384, "gbk")

    def __init__(self) -> None:
        self.engine = PrinterEngine(paper_width_dots=384, encoding="gbk")

    async def print_job(self, data: bytes) -> None:
        self.engine.receive(data)


async def test_the_ticket_flow_prints_on_the_printers_own_paper() -> None:
    printer = _NarrowPrinter()
    outcome = await TicketFlow(hall=None).print_ticket(  # type: ignore[arg-type]
        printer, ticket(), hall_name="示范区政务服务中心", lang="zh_Hant"
    )
    assert outcome.printed and outcome.jobs_printed == 1
    [printed] = printer.engine.tickets
    assert printer.engine.errors == [] and printer.engine.auto_wraps == 0
    assert "排隊號" in printed.text and "A001" in printed.text
    assert printed.qr_payloads == ["http://127.0.0.1/t/t_1"]
    # Ruled for 32 columns: a 576-dot layout would have wrapped on this paper (auto_wraps above).
    assert "-" * 32 in printed.text.splitlines()


async def test_the_ticket_flow_without_a_printer_says_so() -> None:
    outcome = await TicketFlow(hall=None).print_ticket(  # type: ignore[arg-type]
        None, ticket(), hall_name="示范区政务服务中心", lang="zh_Hans"
    )
    assert (outcome.printed, outcome.reason) == (False, "printer_missing")
