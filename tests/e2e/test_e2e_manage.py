"""The management web (/manage/) in headless Chromium: the manager signs in, the live panel follows a
clerk's call, and the report charts draw (canvas pixels that are not blank)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import HallServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# Non-blank: how many pixels of a chart's canvas are neither transparent nor white.
INKED = """(id) => {
  const canvas = document.querySelector(`#${id} canvas`);
  if (!canvas) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) inked++;
  }
  return inked;
}"""


def a_morning(hall: HallServer) -> None:
    """Five tickets, three called, served and reviewed, at known times on the hall's clock."""
    assert hall.clock is not None
    start = hall.clock.now()
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    with httpx.Client(base_url=hall.url + "/api/v1", timeout=30) as client:
        login = client.post("/auth/login", json={"username": "counter1", "password": "demo1234"})
        staff = {"Authorization": f"Bearer {login.json()['token']}"}

        seat: list[str] = []

        def act(window: str, action: str) -> int:
            if seat != [window]:  # the clerk moves to the window first (one window at a time)
                if seat:
                    client.post(f"/windows/{seat[0]}/sign-out", params={"site": "HQ"}, headers=staff)
                signed = client.post(f"/windows/{window}/sign-in", params={"site": "HQ"}, headers=staff)
                assert signed.status_code == 200, signed.text
                seat[:] = [window]
            reply = client.post(f"/counters/{window}/{action}", params={"site": "HQ"}, headers=staff)
            return reply.status_code

        tickets = []
        for minute in range(5):
            hall.clock.set(start + timedelta(minutes=minute))
            tickets.append(client.post("/tickets", json={"service": "SB-001"}, headers=kiosk).json())
        for n, window in enumerate(("15", "16", "15")):
            hall.clock.set(start + timedelta(minutes=10 + 12 * n))
            assert act(window, "call-next") == 200 and act(window, "start") == 200
            hall.clock.set(start + timedelta(minutes=18 + 12 * n))
            assert act(window, "complete") == 200
            level = (5, 4, 2)[n]
            body = {"level": level, "reasons": [], "subject": {"type": "ticket", "id": tickets[n]["id"]}}
            assert client.post("/reviews", json=body, headers=kiosk).status_code == 201
        hall.clock.set(start + timedelta(minutes=50))


async def test_manager_reads_the_day_and_sees_a_call_live(
    hall_server: HallServer, browser: Any, artifacts_dir: Path
) -> None:
    a_morning(hall_server)
    page = await browser.new_page(viewport={"width": 1400, "height": 1500})
    await page.goto(f"{hall_server.url}/manage/")
    await page.fill("input[name=username]", "manager1")
    await page.fill("input[name=password]", "demo1234")
    await page.click("#login-form button[type=submit]")
    await page.wait_for_selector("#live:not([hidden])")
    await page.fill("#report-day", "2026-11-25")
    await page.click("#report-load")
    await page.wait_for_function("document.querySelectorAll('#report-queues tbody tr').length >= 2")
    for chart in ("chart-wait", "chart-windows", "chart-satisfaction", "chart-trend"):
        await page.wait_for_function(f"({INKED})('{chart}') > 500")
    cells = await page.locator("#report-queues tbody tr").first.locator("td").all_inner_texts()
    assert cells[:3] == ["B", "5", "3"]
    assert await page.locator("#report-bad tbody tr").count() == 1
    await page.wait_for_function("document.getElementById('tile-waiting').textContent === '2'")
    await page.screenshot(path=str(artifacts_dir / "manage-before-call.png"), full_page=True)

    async with httpx.AsyncClient(base_url=hall_server.url + "/api/v1") as client:
        login = await client.post("/auth/login", json={"username": "counter1", "password": "demo1234"})
        staff = {"Authorization": f"Bearer {login.json()['token']}"}
        await client.post("/windows/15/sign-out", params={"site": "HQ"}, headers=staff)
        signed = await client.post("/windows/17/sign-in", params={"site": "HQ"}, headers=staff)
        assert signed.status_code == 200, signed.text
        reply = await client.post("/counters/17/call-next", params={"site": "HQ"}, headers=staff)
    assert reply.status_code == 200, reply.text
    number = reply.json()["number"]
    await page.wait_for_function("document.getElementById('tile-waiting').textContent === '1'")
    window = page.locator("[data-window='17']")
    await window.wait_for()
    assert "busy" in (await window.get_attribute("class") or "")
    assert number in await window.inner_text() and "counter1" in await window.inner_text()
    # One window open (counter1's), busy; nobody's windows and the one closed on the plan (48) are closed.
    await page.wait_for_function("document.getElementById('tile-busy').textContent === '1 / 1'")
    for closed in ("15", "16", "48"):
        assert "closed" in (await page.get_attribute(f"[data-window='{closed}']", "class") or "")
    await page.screenshot(path=str(artifacts_dir / "manage-after-call.png"), full_page=True)
    await page.close()


async def test_a_counter_clerk_is_not_let_in(hall_server: HallServer, browser: Any) -> None:
    page = await browser.new_page()
    await page.goto(f"{hall_server.url}/manage/")
    await page.fill("input[name=username]", "counter1")
    await page.fill("input[name=password]", "demo1234")
    await page.click("#login-form button[type=submit]")
    await page.wait_for_function("document.getElementById('login-error').textContent.length > 0")
    assert "manager" in await page.inner_text("#login-error")
    assert await page.is_hidden("#live")
    await page.close()


async def test_after_the_demo_history_a_newcomer_reads_a_month(
    hall_server: HallServer, browser: Any, artifacts_dir: Path
) -> None:
    from hall_server.demo_history import fill_demo_history
    from hall_server.state.calendar_book import CalendarBook

    hall = hall_server.app.state.hall
    assert fill_demo_history(hall.db, CalendarBook(hall.db).site("HQ"), hall.now()) > 0
    page = await browser.new_page(viewport={"width": 1400, "height": 1500})
    await page.goto(f"{hall_server.url}/manage/")
    await page.fill("input[name=username]", "manager1")
    await page.fill("input[name=password]", "demo1234")
    await page.click("#login-form button[type=submit]")
    await page.wait_for_selector("#reports:not([hidden])")
    await page.fill("#report-day", "2026-11-24")  # the last demo day, a Tuesday
    await page.click("#report-load")
    await page.wait_for_function("document.querySelectorAll('#report-queues tbody tr').length >= 6")
    for chart in ("chart-wait", "chart-windows", "chart-satisfaction", "chart-trend"):
        await page.wait_for_function(f"({INKED})('{chart}') > 2000")
    # Twenty-odd working days of the month on the trend's axis.
    days = await page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-trend'))"
                               ".getOption().xAxis[0].data.length")
    assert 18 <= days <= 30
    assert 0 < await page.locator("#report-bad tbody tr").count() <= 30
    # Departments by their names in the page's language, in the chart and the table, never by code.
    axis = ("echarts.getInstanceByDom(document.getElementById('chart-satisfaction'))"
            ".getOption().yAxis[0].data")
    names = await page.evaluate(axis)
    assert "人力资源和社会保障局" in names and "HRSS" not in names
    bad_departments = await page.eval_on_selector_all("#report-bad tbody tr td:nth-child(2)",
                                                      "cells => cells.map(c => c.textContent)")
    assert bad_departments and all(not name.isascii() for name in bad_departments)
    await page.screenshot(path=str(artifacts_dir / "manage-demo-month.png"), full_page=True)

    await page.goto(f"{hall_server.url}/manage/?lang=en")
    await page.fill("input[name=username]", "manager1")
    await page.fill("input[name=password]", "demo1234")
    await page.click("#login-form button[type=submit]")
    await page.wait_for_selector("#reports:not([hidden])")
    await page.fill("#report-day", "2026-11-24")
    await page.click("#report-load")
    for chart in ("chart-wait", "chart-windows", "chart-satisfaction", "chart-trend"):
        await page.wait_for_function(f"({INKED})('{chart}') > 2000")
    names = await page.evaluate(axis)
    assert "Human Resources and Social Security Bureau" in names and "HRSS" not in names
    await page.screenshot(path=str(artifacts_dir / "manage-demo-month-en.png"), full_page=True)
    await page.close()
