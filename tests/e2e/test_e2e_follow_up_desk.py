"""The 好差评 desk (/manage/desk.html) in headless Chromium: the cases listed overdue first with their
working days left, then one case assigned, answered and closed by clicks, each step dated on the hall's clock
and written to the event log once."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from hall_server.store import models as m

from .conftest import HallServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def bad_reviews(hall: HallServer) -> list[str]:
    """Three bad reviews of SB-001 tickets: Monday the 16th (overdue by now), Friday the 20th (due Friday the
    27th, two working days left), and this morning at 9:30; the cases, oldest first."""
    assert hall.clock is not None
    now = hall.clock.now()
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    cases = []
    with httpx.Client(base_url=hall.url + "/api/v1", headers=kiosk, timeout=30) as client:
        for when, level, reason in ((datetime(2026, 11, 16, 10, 0, tzinfo=SHANGHAI), 1, "slow"),
                                    (datetime(2026, 11, 20, 15, 0, tzinfo=SHANGHAI), 2, "poor_attitude"),
                                    (now - timedelta(minutes=30), 2, "long_wait")):
            hall.clock.set(when)
            ticket = client.post("/tickets", json={"service": "SB-001"})
            assert ticket.status_code == 201, ticket.text
            subject = {"type": "ticket", "id": ticket.json()["id"]}
            body = {"level": level, "reasons": [reason], "subject": subject}
            reply = client.post("/reviews", json=body)
            assert reply.status_code == 201, reply.text
            cases.append(reply.json()["follow_up"]["id"])
    hall.clock.set(now)
    return cases


def cells(rows: list[str]) -> list[list[str]]:
    return [row.split("\t") for row in rows]


async def test_the_desk_lists_by_deadline_and_a_case_is_assigned_answered_and_closed(
    hall_server: HallServer, browser: Any, artifacts_dir: Path
) -> None:
    overdue, soon, fresh = bad_reviews(hall_server)
    assert hall_server.clock is not None
    page = await browser.new_page(viewport={"width": 1400, "height": 900})
    await page.goto(f"{hall_server.url}/manage/desk.html")
    await page.fill("input[name=username]", "manager1")
    await page.fill("input[name=password]", "demo1234")
    await page.click("#login-form button[type=submit]")
    await page.wait_for_function("document.querySelectorAll('#cases tbody tr').length === 3")
    order = await page.eval_on_selector_all("#cases tbody tr", "rows => rows.map(r => r.dataset.case)")
    assert order == [overdue, soon, fresh]
    table = [await page.locator(f"#cases tbody tr[data-case='{c}'] td").all_inner_texts() for c in order]
    # Level, department (its name in the page's language), reason, given, due, working days left, state.
    assert [row[4:7] for row in table] == [["2026-11-23", "-2", "已超期 Overdue"],
                                           ["2026-11-27", "2", "待回复 Open"],
                                           ["2026-12-02", "5", "待回复 Open"]]
    assert table[0][1] == "人力资源和社会保障局" and table[2][2] == "等候时间过长"
    assert "overdue" in (await page.get_attribute(f"tr[data-case='{overdue}']", "class") or "")
    await page.screenshot(path=str(artifacts_dir / "desk-list.png"), full_page=True)

    await page.click(f"tr[data-case='{fresh}']")
    await page.wait_for_selector("#case:not([hidden])")
    assert await page.is_hidden("#close-case")
    hall_server.clock.set(datetime(2026, 11, 25, 10, 15, tzinfo=SHANGHAI))
    await page.select_option("#assignee", "counter1")
    await page.click("#assign-form button[type=submit]")
    await page.wait_for_function(
        f"document.querySelector(\"tr[data-case='{fresh}']\").innerText.includes('counter1')")
    assert "2026-11-25 10:15 · → counter1" in await page.inner_text("#case-steps")

    hall_server.clock.set(datetime(2026, 11, 25, 11, 40, tzinfo=SHANGHAI))
    await page.fill("#answer", "已电话回访，说明等候原因，下午加开窗口。")
    await page.click("#answer-form button[type=submit]")
    await page.wait_for_selector("#close-case:not([hidden])")
    assert await page.is_hidden("#answer-form") and await page.is_hidden("#assign-form")
    assert "待办结 Answered" in await page.inner_text(f"tr[data-case='{fresh}']")
    assert "2026-11-25 11:40 · manager1: 已电话回访" in await page.inner_text("#case-steps")
    await page.screenshot(path=str(artifacts_dir / "desk-answered.png"), full_page=True)

    hall_server.clock.set(datetime(2026, 11, 25, 16, 0, tzinfo=SHANGHAI))
    await page.click("#close-case")
    # Closed, it leaves the pending list; the panel keeps it with every step dated.
    await page.wait_for_function("document.querySelectorAll('#cases tbody tr').length === 2")
    assert "2026-11-25 16:00 · manager1" in await page.inner_text("#case-steps")
    assert await page.is_hidden("#close-case")
    await page.screenshot(path=str(artifacts_dir / "desk-closed.png"), full_page=True)
    await page.select_option("#filter", "closed")
    await page.wait_for_function(
        f"[...document.querySelectorAll('#cases tbody tr')].map(r => r.dataset.case).join() === '{fresh}'")

    # Closing an open case is refused on the page as by the API (the rules: answer first).
    await page.select_option("#filter", "pending")
    await page.wait_for_function("document.querySelectorAll('#cases tbody tr').length === 2")
    await page.click(f"tr[data-case='{overdue}']")
    await page.evaluate("document.getElementById('close-case').hidden = false")
    await page.click("#close-case")
    await page.wait_for_function(
        "document.getElementById('case-error').textContent.includes('follow_up_not_answered')")
    await page.close()

    e = m.events
    with hall_server.app.state.hall.db.read() as conn:
        steps = conn.execute(select(e.c.kind, e.c.at, e.c.clerk).where(e.c.subject == fresh)
                             .order_by(e.c.id)).all()
    assert [(kind, at.astimezone(SHANGHAI).strftime("%H:%M"), clerk) for kind, at, clerk in steps] == [
        ("follow_up_opened", "09:30", None), ("follow_up_assigned", "10:15", "counter1"),
        ("follow_up_answered", "11:40", "manager1"), ("follow_up_closed", "16:00", "manager1")]
    with hall_server.app.state.hall.db.read() as conn:
        untouched = conn.execute(select(e.c.kind).where(e.c.subject == overdue)).scalars().all()
    assert untouched == ["follow_up_opened"]


async def test_a_long_list_comes_in_pages_and_more_brings_the_next(
    hall_server: HallServer, browser: Any, artifacts_dir: Path
) -> None:
    overdue, soon, fresh = bad_reviews(hall_server)
    page = await browser.new_page(viewport={"width": 1400, "height": 900})
    # Two cases a page, so three make two pages.
    await page.goto(f"{hall_server.url}/manage/desk.html?limit=2")
    await page.fill("input[name=username]", "manager1")
    await page.fill("input[name=password]", "demo1234")
    await page.click("#login-form button[type=submit]")
    await page.select_option("#filter", "all")
    await page.wait_for_function("document.querySelectorAll('#cases tbody tr').length === 2")
    await page.wait_for_selector("#more:not([hidden])")
    assert await page.eval_on_selector_all("#cases tbody tr", "rows => rows.map(r => r.dataset.case)") == [
        overdue, soon]
    assert await page.inner_text("#counts") == "显示 shown 2 / 3 件 cases · 1 件超期 overdue"
    await page.screenshot(path=str(artifacts_dir / "desk-page-one.png"), full_page=True)
    await page.click("#more")
    await page.wait_for_function("document.querySelectorAll('#cases tbody tr').length === 3")
    assert await page.eval_on_selector_all("#cases tbody tr", "rows => rows.map(r => r.dataset.case)") == [
        overdue, soon, fresh]
    assert await page.is_hidden("#more")
    assert await page.inner_text("#counts") == "3 件 cases · 1 件超期 overdue"

    # A step on a case of page two keeps both pages shown.
    await page.click(f"tr[data-case='{fresh}']")
    await page.select_option("#assignee", "counter1")
    await page.click("#assign-form button[type=submit]")
    await page.wait_for_function(
        f"document.querySelector(\"tr[data-case='{fresh}']\").innerText.includes('counter1')")
    assert len(await page.query_selector_all("#cases tbody tr")) == 3 and await page.is_hidden("#more")
    await page.screenshot(path=str(artifacts_dir / "desk-page-two.png"), full_page=True)
    await page.close()
