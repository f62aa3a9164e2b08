"""Printed jobs follow the configured printer's encoding: a GBK printer never gets GB18030-only bytes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hall_contract import Ticket
from kiosk.flows.slips import queue_ticket_job

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
    job = queue_ticket_job(ticket(), hall_name="示范区政务服务中心", lang="zh_Hans", encoding=encoding)
    assert ("刘".encode("gbk") + RARE.encode("gb18030") in job) is rare_printed
    assert "示范区政务服务中心".encode("gbk") in job
