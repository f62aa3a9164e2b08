"""Records against a real hall server: paging on screen and a long printout over several sheets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kiosk.flows.records import KINDS, RecordsFlow, pages
from kiosk.flows.slips import record_jobs
from kiosk.hall_client import HallError
from kiosk.session import Identity
from terminal_drivers.printer.paper import PaperFormat
from terminal_drivers.printer.printer import Printer

pytestmark = pytest.mark.slow


async def test_records_page_and_print_across_sheets(
    wednesday_morning: Any, printer_sim: tuple[Any, str], make_id_number: Callable[[int], str]
) -> None:
    engine, port = printer_sim
    identity = Identity(name="赵六", id_number=make_id_number(31), source="id_card")
    with wednesday_morning.client() as hall:
        flow = RecordsFlow(hall)
        result = await flow.query("social_insurance_payments", identity, "zh_Hans")
        again = await flow.query("social_insurance_payments", identity, "zh_Hans")
        for kind in KINDS:
            assert (await flow.query(kind, identity)).kind == kind
        with pytest.raises(HallError) as bad:
            await flow.query(
                "social_insurance_payments",
                Identity(name="x", id_number="110101199003074470", source="typed"),
            )
    assert bad.value.code == "invalid_id_number"
    assert result.rows == again.rows and len(result.rows) > 20, "demo records are deterministic and long"
    screen = pages(result, page_size=8)
    assert sum(len(p.rows) for p in screen) == len(result.rows)
    assert screen[-1].number == screen[-1].count == -(-len(result.rows) // 8)

    jobs = record_jobs(result, identity, hall_name="示范区政务服务中心", lang="zh_Hans", paper=PaperFormat())
    assert len(jobs) >= 2
    async with Printer(port) as printer:
        outcome = await flow.print_records(
            printer, result, identity, hall_name="示范区政务服务中心", lang="zh_Hans"
        )
    assert outcome.printed and outcome.jobs_printed == len(jobs)
    sheets = engine.tickets
    assert len(sheets) == len(jobs)
    assert f"第1/{len(jobs)}张" in sheets[0].text and f"第{len(jobs)}/{len(jobs)}张" in sheets[-1].text
    everything = "".join(s.text for s in sheets)
    assert identity.id_number not in everything and identity.id_number_masked in everything
    first_value = result.rows[0][result.columns[0].key]
    last_value = result.rows[-1][result.columns[0].key]
    assert first_value in sheets[0].text and last_value in sheets[-1].text
