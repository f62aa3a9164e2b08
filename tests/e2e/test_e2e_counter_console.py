"""The console's counter view in headless Chromium against the hall server: a clerk picks a window from the
plan, signs in, calls (a 绿色通道 ticket marked with its class and 核验证明), sees the ticket again after a
reload, parks and unparks, calls a chosen number with a reason, transfers to a window, pauses, signs out."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import HallServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


async def take(hall: HallServer, **extra: object) -> str:
    async with httpx.AsyncClient(base_url=hall.url + "/api/v1") as client:
        reply = await client.post("/tickets", json={"service": "SB-001", **extra},
                                  headers={"Authorization": f"Bearer {hall.kiosk_token}"})
    assert reply.status_code == 201, reply.text
    return str(reply.json()["number"])


async def sign_in(page: Any, hall: HallServer, username: str = "counter1") -> None:
    await page.goto(f"{hall.url}/console/")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", "demo1234")
    await page.click("#login-form button[type=submit]")
    await page.wait_for_selector("#counter:not([hidden])")


async def text_of(page: Any, selector: str) -> str:
    return str(await page.inner_text(selector))


async def until_text(page: Any, selector: str, words: str) -> None:
    await page.wait_for_function(
        "([sel, words]) => document.querySelector(sel).textContent.includes(words)", arg=[selector, words],
        timeout=30000,
    )


async def test_a_clerk_works_a_window_from_the_console(
    hall_server: HallServer, browser: Any, artifacts_dir: Path
) -> None:
    clock = hall_server.app.state.hall.clock
    assert await take(hall_server) == "B001"
    clock.advance(timedelta(minutes=1))
    assert await take(hall_server, priority="elderly") == "B002"
    clock.advance(timedelta(minutes=3))
    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
    await sign_in(page, hall_server)
    assert await page.is_hidden("#seat") and await page.is_hidden("#fleet") and await page.is_hidden("#desk")
    # The window is picked from the plan: a select whose closed window 48 cannot be chosen.
    await page.wait_for_selector("#window-select option[value='15']", state="attached")
    assert await page.get_attribute("#window-select option[value='48']", "disabled") is not None
    assert await page.eval_on_selector("#counter-site", "s => s.value") == "HQ"
    await page.select_option("#window-select", "15")
    await page.click("#window-pick button[type=submit]")
    await page.wait_for_selector("#desk:not([hidden])")
    assert "15 号窗口" in await text_of(page, "#desk-window")
    assert "服务中" in await text_of(page, "#desk-state")

    await page.click("#desk button[data-action=call-next]")
    await until_text(page, "#current-number", "B002")
    state = await text_of(page, "#current-state")
    assert "叫号中" in state and "Called" in state
    mark = await text_of(page, "#current-priority")
    assert "绿色通道" in mark and "老年人" in mark and "核验证明" in mark and "check the proof" in mark
    issued = await text_of(page, "#current-issued")
    assert "10:01" in issued and "3 分钟前" in issued and "3 min ago" in issued
    await page.screenshot(path=str(artifacts_dir / "console_counter_called.png"), full_page=True)

    # A reload forgets everything the page held: the hall says what is at the window.
    await page.reload()
    await sign_in(page, hall_server)
    await until_text(page, "#current-number", "B002")
    assert "15 号窗口" in await text_of(page, "#desk-window")

    await page.click("#desk button[data-action=start]")
    await until_text(page, "#current-state", "办理中")
    await page.click("#desk button[data-action=park]")
    await until_text(page, "#parked", "B002")
    assert "已挂起" in await text_of(page, "#counter-message")
    await page.click("#desk button[data-action=call-next]")
    await until_text(page, "#current-number", "B001")
    assert await page.is_hidden("#current-priority")
    await page.click("#desk button[data-action=complete]")
    await until_text(page, "#counter-message", "已办结")
    await page.click("#parked button[data-unpark='B002']")
    await until_text(page, "#current-number", "B002")
    await page.click("#desk button[data-action=complete]")
    await until_text(page, "#current-number", "—")

    # A chosen number out of turn, with its reason.
    assert await take(hall_server) == "B003"
    assert await take(hall_server) == "B004"
    await page.fill("#call-number input[name=number]", "b004")
    await page.fill("#call-number input[name=reason]", "过号返回")
    await page.click("#call-number button[type=submit]")
    await until_text(page, "#current-number", "B004")
    await page.click("#desk button[data-action=no-show]")
    await until_text(page, "#counter-message", "过号")

    # Transfer to a window: the select lists queues and windows.
    await page.click("#desk button[data-action=call-next]")
    await until_text(page, "#current-number", "B003")
    await page.select_option("#transfer-target", "w:16")
    await page.click("#transfer button[type=submit]")
    await until_text(page, "#counter-message", "已转至窗口 16")
    # It waits in window 16's own line, which the list of lines shows after the queues.
    await page.wait_for_selector("#queues tr.window-line")
    await until_text(page, "#queues tr.window-line", "B003")
    assert (await text_of(page, "#queues tr.window-line")).split()[:2] == ["16", "号窗口"]
    await page.screenshot(path=str(artifacts_dir / "console_counter_window_line.png"), full_page=True)

    await page.fill("#pause-reason", "系统维护")
    await page.click("#pause")
    await until_text(page, "#desk-state", "暂停服务")
    assert "系统维护" in await text_of(page, "#desk-since")
    await page.click("#desk button[data-action=call-next]")
    await until_text(page, "#counter-error", "暂停服务")
    body = await text_of(page, "body")
    assert not ISO_INSTANT.search(body), "people read times, not ISO strings"
    await page.screenshot(path=str(artifacts_dir / "console_counter_paused.png"), full_page=True)
    await page.click("#resume")
    await until_text(page, "#desk-state", "服务中")
    await page.click("#sign-out-window")
    await page.wait_for_selector("#window-pick:not([hidden])")
    assert await page.is_hidden("#desk")
    await page.screenshot(path=str(artifacts_dir / "console_counter_signed_out.png"), full_page=True)
    await page.close()


async def test_a_window_taken_by_another_clerk_is_said_plainly(hall_server: HallServer, browser: Any) -> None:
    async with httpx.AsyncClient(base_url=hall_server.url + "/api/v1") as client:
        login = await client.post("/auth/login", json={"username": "admin", "password": "demo1234"})
        token = login.json()["token"]
        taken = await client.post("/windows/15/sign-in", params={"site": "HQ"},
                                  headers={"Authorization": f"Bearer {token}"})
        assert taken.status_code == 200
    page = await browser.new_page(viewport={"width": 1400, "height": 900})
    await sign_in(page, hall_server)
    await page.wait_for_selector("#window-select option[value='15']", state="attached")
    # Taken windows cannot be picked; a page that raced to it is told why.
    assert await page.get_attribute("#window-select option[value='15']", "disabled") is not None
    await page.eval_on_selector("#window-select option[value='15']", "o => o.removeAttribute('disabled')")
    await page.select_option("#window-select", "15")
    await page.click("#window-pick button[type=submit]")
    await until_text(page, "#counter-error", "该窗口已有工作人员签到")
    assert "Another clerk" in await text_of(page, "#counter-error")
    await page.close()


async def test_the_hall_serves_its_icon(hall_server: HallServer, browser: Any) -> None:
    async with httpx.AsyncClient(base_url=hall_server.url) as client:
        icon = await client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")
    page = await browser.new_page()
    await page.goto(f"{hall_server.url}/console/")
    href = await page.get_attribute("link[rel=icon]", "href")
    assert href == "/static/favicon.svg"
    loaded = await page.evaluate("fetch('/static/favicon.svg').then(r => r.status)")
    assert loaded == 200
    await page.close()
