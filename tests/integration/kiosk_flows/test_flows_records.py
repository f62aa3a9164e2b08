"""Records against a real hall server: paging on screen and a long printout over several sheets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk.flows.proof import card_proof
from kiosk.flows.records import KINDS, RecordsFlow, pages
from kiosk.flows.slips import printed_columns, record_jobs
from kiosk.hall_client import HallError
from kiosk.session import Identity
from terminal_drivers.printer.paper import PaperFormat
from terminal_drivers.printer.printer import Printer

pytestmark = pytest.mark.slow


async def test_records_page_and_print_across_sheets(
    wednesday_morning: Any, printer_sim: tuple[Any, str], make_id_number: Callable[[int], str]
) -> None:
    engine, port = printer_sim
    # A card read in this visit (the kiosk attests it: DESIGN §4.5).
    identity = Identity(name="赵六", id_number=make_id_number(31), source="id_card", card=object())
    proof = card_proof(identity)
    with wednesday_morning.client() as hall:
        flow = RecordsFlow(hall)
        result = await flow.query("social_insurance_payments", identity, "zh_Hans", proof)
        again = await flow.query("social_insurance_payments", identity, "zh_Hans", proof)
        for kind in KINDS:
            assert (await flow.query(kind, identity, proof=proof)).kind == kind
        with pytest.raises(HallError) as bad:
            await flow.query(
                "social_insurance_payments",
                Identity(name="x", id_number="110101199003074470", source="id_card", card=object()),
                proof=proof,
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


async def test_a_records_sheet_says_hall_time_and_heads_every_sheet_with_the_shared_values(
    wednesday_morning: Any, printer_sim: tuple[Any, str], make_id_number: Callable[[int], str],
    artifacts_dir: Path,
) -> None:
    """The kiosk's clock here runs in UTC on another day than the hall's (a fixed Wednesday morning in
    Asia/Shanghai); the sheet prints the hall's time. Values every row shares (险种, 参保单位) head
    each sheet as label/value pairs instead of trailing after （以下空白）, split mid-word."""
    engine, port = printer_sim
    identity = Identity(name="赵六", id_number=make_id_number(31), source="id_card", card=object())
    with wednesday_morning.client() as hall:
        flow = RecordsFlow(hall)
        result = await flow.query("social_insurance_payments", identity, "zh_Hans", card_proof(identity))
        async with Printer(port) as printer:
            outcome = await flow.print_records(
                printer, result, identity, hall_name="示范区政务服务中心", lang="zh_Hans"
            )
    assert outcome.printed
    for number, sheet in enumerate(engine.tickets, start=1):
        (artifacts_dir / f"flows_records_sheet_{number}.png").write_bytes(sheet.png)
    generated = datetime.fromisoformat(str(result.generated_at))
    assert generated.utcoffset() == timedelta(hours=8)
    kiosk_clock = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    hall_clock = generated.strftime("%Y-%m-%d %H:%M")
    assert kiosk_clock != hall_clock, "the test needs the hall's clock to differ from the kiosk's"
    _, constant = printed_columns(result, PaperFormat().columns)
    assert constant, "the demo's payment table is too wide for 80 mm: shared columns are said once"
    for sheet in engine.tickets:
        lines = sheet.text.splitlines()
        printed = next(line for line in lines if line.startswith("打印时间"))
        assert printed.split()[-2:] == hall_clock.split(), printed
        head = sheet.text.split("=" * 10)[0]
        for column in constant:
            shared = result.rows[0][column.key]
            line = next(line for line in lines if line.startswith(column.label))
            assert shared in line or shared in head, (column.label, shared)
            assert column.label in head
        tail = sheet.text.split("（以下空白）")[-1] if "（以下空白）" in sheet.text else ""
        assert not any(column.label in tail for column in constant)


async def test_a_typed_identity_has_no_proof_and_the_hall_refuses_it(
    wednesday_morning: Any, make_id_number: Callable[[int], str]
) -> None:
    """A typed number and name never open records (DESIGN §4.5); needs the hall's proof check."""
    identity = Identity(name="赵六", id_number=make_id_number(31), source="typed")
    assert card_proof(identity) is None
    with wednesday_morning.client() as hall, pytest.raises(HallError) as refused:
        await RecordsFlow(hall).query("social_insurance_payments", identity, "zh_Hans", card_proof(identity))
    assert refused.value.code == "proof_required"
