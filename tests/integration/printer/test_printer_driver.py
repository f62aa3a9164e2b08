"""The real Printer driver against the simulated printer, over a pty and over socket://."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from kiosk.printouts.booking_slip import BookingSlipContent, booking_slip
from kiosk.printouts.lines import text_lines
from kiosk.printouts.queue_ticket import TicketContent, queue_ticket
from kiosk.printouts.records_sheet import RecordContent, record_printout
from terminal_drivers.errors import (
    CoverOpen,
    CutterError,
    DeviceDisconnected,
    DeviceError,
    DeviceNotFound,
    PaperOut,
    PrinterStatusUnknown,
    ProtocolError,
)
from terminal_drivers.printer.paper import PaperFormat
from terminal_drivers.printer.printer import Printer
from terminal_drivers.printer.testpage import test_page
from terminal_drivers.sim.printer import PrinterEngine
from terminal_drivers.sim.runner import DeviceServer

from .conftest import SimPrinter

# Long enough for a simulator starved of CPU on a loaded machine; waited out in full only by the
# tests of a silent printer.
STATUS_TIMEOUT = 1.5
PAPER_80MM = PaperFormat(576)

TICKET = TicketContent(
    hall_name="五华区政务服务中心",
    ticket_number="B007",
    service_name="医保参保登记",
    people_ahead=0,
    estimated_wait_min=2,
    issued_at=datetime(2026, 11, 25, 17, 40),
    tracking_url="https://hall.example.gov.cn/t/b007",
)


def open_printer(sim: SimPrinter) -> Printer:
    return Printer(sim.url, status_timeout=STATUS_TIMEOUT)


async def test_prints_every_layout(sim_printer: SimPrinter, artifacts_dir: Path) -> None:
    slip = BookingSlipContent(
        hall_name="五华区政务服务中心",
        service_name="婚姻登记",
        day=date(2026, 11, 28),
        time_range="09:00-09:30",
        where="1楼 A区 3号窗口",
        check_in_code="120934",
        qr_payload="BK:120934",
        session_name="周六晨办",
    )
    record = RecordContent(
        title="出入境记录",
        name="王镕",
        id_number="440106199001011234",
        columns=("日期", "口岸", "出/入"),
        rows=[[f"2025-0{m}-01", "深圳湾", "出境"] for m in range(1, 8)],
        printed_at=datetime(2026, 11, 23, 10, 0),
        rows_per_sheet=4,
    )
    async with open_printer(sim_printer) as printer:
        assert printer.health.state == "ok"
        jobs = [
            queue_ticket(TICKET, printer.paper),
            booking_slip(slip, printer.paper),
            *record_printout(record, printer.paper),
            text_lines(["远程协助打印", "第二行"], printer.paper),
            test_page(printer.paper),
        ]
        for job in jobs:
            after = await printer.print_job(job)
            assert after.paper == "ok" and after.blocking_error is None
        assert printer.jobs_printed == len(jobs)
    tickets = sim_printer.engine.tickets
    assert len(tickets) == 6
    assert sim_printer.engine.errors == []
    assert tickets[0].qr_payloads == [TICKET.tracking_url]
    assert "周六晨办" in tickets[1].text
    assert "第1/2张" in tickets[2].text and "第2/2张" in tickets[3].text
    assert "远程协助打印" in tickets[4].text
    assert "堃 喆 镕" in tickets[5].text
    for ticket in tickets:
        assert ticket.png_path is not None
        (artifacts_dir / "printer" / "driver").mkdir(parents=True, exist_ok=True)
        (artifacts_dir / "printer" / "driver" / f"{ticket.index:04d}.png").write_bytes(ticket.png)
    first = zxingcpp.read_barcodes(Image.open(tickets[0].png_path).convert("L"))
    assert [r.text for r in first] == [TICKET.tracking_url]


async def test_paper_near_end_is_degraded_but_prints(sim_printer: SimPrinter) -> None:
    sim_printer.server.control("paper_near_end")
    async with open_printer(sim_printer) as printer:
        assert printer.health.as_json() == {"state": "degraded", "reason": "paper_near_end"}
        after = await printer.print_job(queue_ticket(TICKET, PAPER_80MM))
        assert after.paper == "near_end"
        assert printer.health.reason == "paper_near_end"
    assert len(sim_printer.engine.tickets) == 1


@pytest.mark.parametrize(
    ("fault", "error", "code"),
    [
        ("paper_out", PaperOut, "paper_out"),
        ("cover_open", CoverOpen, "cover_open"),
        ("cutter_error", CutterError, "cutter_error"),
    ],
)
async def test_a_stopped_printer_refuses_and_nothing_is_sent(
    sim_printer: SimPrinter, fault: str, error: type[DeviceError], code: str
) -> None:
    sim_printer.server.control(fault)
    async with open_printer(sim_printer) as printer:
        with pytest.raises(error) as caught:
            await printer.print_job(queue_ticket(TICKET, PAPER_80MM))
        assert caught.value.code == code
        assert printer.health.as_json() == {"state": "offline", "reason": code}
        # Not a byte of the job reached the printer: it only ever saw status queries.
        assert sim_printer.engine.state()["dropped"] == 0
        assert sim_printer.engine.tickets == []
        sim_printer.server.control(
            {"paper_out": "paper_ok", "cover_open": "cover_close"}.get(fault, "clear_errors")
        )
        await printer.print_job(queue_ticket(TICKET, PAPER_80MM))
        assert printer.health.state == "ok"
    assert len(sim_printer.engine.tickets) == 1


async def test_health_listeners_hear_every_change_and_close(sim_printer: SimPrinter) -> None:
    heard: list[dict[str, str | None]] = []
    printer = open_printer(sim_printer)
    printer.add_health_listener(lambda health: heard.append(health.as_json()))
    async with printer:
        sim_printer.server.control("paper_out")
        with pytest.raises(PaperOut):
            await printer.print_job(queue_ticket(TICKET, PAPER_80MM))
        sim_printer.server.control("paper_ok")
        await printer.status()
        await printer.status()  # no change, nothing heard
    assert heard == [
        {"state": "ok", "reason": None},
        {"state": "offline", "reason": "paper_out"},
        {"state": "ok", "reason": None},
        {"state": "offline", "reason": "device_closed"},
    ]


async def test_no_answer_is_status_unknown_never_paper_ok(sim_printer: SimPrinter) -> None:
    async with open_printer(sim_printer) as printer:
        sim_printer.server.control("silence")
        status = await printer.status()
        assert status.paper == "unknown"
        assert printer.health.as_json() == {"state": "offline", "reason": "printer_status_unknown"}
        with pytest.raises(PrinterStatusUnknown) as caught:
            await printer.print_job(queue_ticket(TICKET, PAPER_80MM))
        assert caught.value.code == "printer_status_unknown"
        sim_printer.server.control("clear_faults")
        await printer.print_job(queue_ticket(TICKET, PAPER_80MM))
        assert printer.health.state == "ok"
    assert len(sim_printer.engine.tickets) == 1


async def test_unplug_goes_offline_and_replug_prints_again(sim_printer: SimPrinter) -> None:
    async with open_printer(sim_printer) as printer:
        await printer.print_job(queue_ticket(TICKET, PAPER_80MM))
        sim_printer.server.control("unplug")
        with pytest.raises((DeviceDisconnected, DeviceNotFound)):
            await printer.print_job(queue_ticket(TICKET, PAPER_80MM))
        assert printer.health.state == "offline"
        assert printer.health.reason in ("device_disconnected", "device_not_found")
        with pytest.raises((DeviceDisconnected, DeviceNotFound)):
            await printer.status()
        sim_printer.server.control("replug")
        status = await printer.status()
        assert status.paper == "ok" and printer.health.state == "ok"
        await printer.print_job(queue_ticket(TICKET, PAPER_80MM))
        assert printer.reconnects >= 1
    assert len(sim_printer.engine.tickets) == 2


async def test_garbled_status_is_a_protocol_error_then_recovers(sim_printer: SimPrinter) -> None:
    async with open_printer(sim_printer) as printer:
        sim_printer.server.control("garble", {"probability": 1.0})
        with pytest.raises(ProtocolError) as caught:
            await printer.print_job(queue_ticket(TICKET, PAPER_80MM))
        assert caught.value.code == "protocol_error"
        assert printer.health.as_json() == {"state": "offline", "reason": "protocol_error"}
        assert sim_printer.engine.tickets == []
        sim_printer.server.control("clear_faults")
        await printer.print_job(queue_ticket(TICKET, PAPER_80MM))
        assert printer.health.state == "ok"
    assert len(sim_printer.engine.tickets) == 1


async def test_diag_reports_for_technicians(sim_printer: SimPrinter) -> None:
    sim_printer.server.control("paper_near_end")
    async with open_printer(sim_printer) as printer:
        await printer.print_job(test_page(PAPER_80MM))
        report = await printer.diag()
    assert report["device"] == "printer" and report["url"] == sim_printer.url
    assert report["status"]["paper"] == "near_end"
    assert report["status"]["raw"] == ["0x12", "0x12", "0x12", "0x1E"]
    assert report["health"] == {"state": "degraded", "reason": "paper_near_end"}
    assert report["jobs_printed"] == 1


async def test_printer_absent_at_start_comes_online_when_plugged(tmp_path: Path) -> None:
    link = tmp_path / "printer"
    engine = PrinterEngine()
    with DeviceServer(engine) as server:
        async with Printer(str(link), status_timeout=STATUS_TIMEOUT) as printer:
            assert printer.health.as_json() == {"state": "offline", "reason": "device_not_found"}
            server.start_pty(link=str(link))
            await printer.print_job(queue_ticket(TICKET, PAPER_80MM))
            assert printer.health.state == "ok"
    assert len(engine.tickets) == 1


async def test_58mm_printer(tmp_path: Path) -> None:
    engine = PrinterEngine(paper_width_dots=384)
    with DeviceServer(engine) as server:
        url = server.start_tcp()
        async with Printer(
            url, paper_width_dots=384, encoding="gbk", status_timeout=STATUS_TIMEOUT
        ) as printer:
            await printer.print_job(queue_ticket(TICKET, printer.paper))
    (ticket,) = engine.tickets
    assert engine.auto_wraps == 0
    assert "医保参保登记" in ticket.text


async def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        Printer("loop://", paper_width_dots=500)
    with pytest.raises(ValueError):
        Printer("loop://", encoding="utf-8")
    async with Printer("loop://", status_timeout=STATUS_TIMEOUT) as printer:
        with pytest.raises(ValueError):
            await printer.print_job(b"")


async def test_paper_running_out_during_a_job_is_reported_after_it(sim_printer: SimPrinter) -> None:
    sim_printer.server.control("paper_out_after", {"lines": 5})
    async with open_printer(sim_printer) as printer:
        with pytest.raises(PaperOut) as caught:
            await printer.print_job(queue_ticket(TICKET, PAPER_80MM))
        assert "after the job" in str(caught.value)
        assert printer.health.as_json() == {"state": "offline", "reason": "paper_out"}
    (stub,) = sim_printer.engine.tickets
    assert not stub.complete


async def test_concurrent_jobs_are_serialised(sim_printer: SimPrinter) -> None:
    async with open_printer(sim_printer) as printer:
        numbers = ["C001", "C002", "C003"]
        jobs = [
            queue_ticket(TicketContent(**{**TICKET.__dict__, "ticket_number": n}), PAPER_80MM)
            for n in numbers
        ]
        results = await asyncio.gather(*(printer.print_job(job) for job in jobs))
    assert all(r.paper == "ok" for r in results)
    assert sim_printer.engine.errors == []
    printed = sorted(n for t in sim_printer.engine.tickets for n in numbers if n in t.text)
    assert printed == numbers


async def test_no_personal_data_in_the_logs(
    sim_printer: SimPrinter, caplog: pytest.LogCaptureFixture
) -> None:
    record = RecordContent(
        title="不动产登记信息",
        name="欧阳喆",
        id_number="11010519491231002X",
        columns=("坐落", "面积"),
        rows=[["五华区某路1号", "89.5"]],
        printed_at=datetime(2026, 11, 23, 10, 0),
    )
    sim_printer.server.control("paper_near_end")
    with caplog.at_level(logging.DEBUG):
        async with open_printer(sim_printer) as printer:
            for job in record_printout(record, PAPER_80MM):
                await printer.print_job(job)
            sim_printer.server.control("paper_out")
            with pytest.raises(PaperOut):
                await printer.print_job(record_printout(record, PAPER_80MM)[0])
        text = sim_printer.engine.tickets[0].text
    assert "1101**********002X" in text
    for secret in ("欧阳喆", "11010519491231002X", "五华区某路1号"):
        assert secret not in caplog.text
