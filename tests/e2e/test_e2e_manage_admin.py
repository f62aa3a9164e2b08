"""The administration pages of the management web (/manage/admin.html) in headless Chromium: the demo admin
edits a service's guide in the browser and the kiosk's catalogue endpoint answers the edited text; every
area's page is drawn (screenshots under artifacts/); a manager sees the pages read-only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import HallServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
EDITED_FEE = "不收费（管理端修改测试）"


async def signed_in(browser: Any, hall: HallServer, username: str) -> Any:
    page = await browser.new_page(viewport={"width": 1500, "height": 1100})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"{hall.url}/manage/admin.html")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", "demo1234")
    await page.click("#login-form button[type=submit]")
    await page.wait_for_selector("#tabs:not([hidden])")
    page.errors = errors
    return page


async def test_an_admin_edits_a_guide_in_the_browser_and_the_kiosk_reads_it(
    hall_server: HallServer, browser: Any, artifacts_dir: Path
) -> None:
    page = await signed_in(browser, hall_server, "admin")
    await page.wait_for_selector("#service-list tr[data-code='SB-001']")
    await page.click("#service-list tr[data-code='SB-001']")
    fee = page.locator("[name='zh-Hans.fee']")
    await fee.fill(EDITED_FEE)
    await page.locator("[name='en.notes']").fill("Bring your social security card.\nEdited in the browser.")
    await page.click("#service-form button[type=submit]")
    await page.wait_for_selector("#status.ok")
    await page.wait_for_selector("#service-list tr[data-code='SB-001'] .edited")
    await page.screenshot(path=str(artifacts_dir / "manage-admin-services.png"), full_page=True)

    kiosk = {"Authorization": f"Bearer {hall_server.kiosk_token}"}
    async with httpx.AsyncClient(base_url=hall_server.url + "/api/v1", headers=kiosk, timeout=30) as client:
        zh = (await client.get("/services/SB-001", params={"lang": "zh-Hans"})).json()
        en = (await client.get("/services/SB-001", params={"lang": "en"})).json()
    assert zh["guide"]["fee"] == EDITED_FEE
    assert en["guide"]["notes"] == ["Bring your social security card.", "Edited in the browser."]

    await page.click("[data-tab=audit]")
    await page.wait_for_selector("#audit-list tbody tr")
    assert "SB-001" in await page.inner_text("#audit-list tbody tr:first-child")
    await page.screenshot(path=str(artifacts_dir / "manage-admin-audit.png"), full_page=True)
    assert page.errors == []


async def test_every_admin_area_draws_and_changes_through_its_page(
    hall_server: HallServer, browser: Any, artifacts_dir: Path
) -> None:
    page = await signed_in(browser, hall_server, "admin")
    page.on("dialog", lambda dialog: dialog.accept())

    await page.click("[data-tab=windows]")
    row = page.locator("#window-list tr[data-window='15']")
    await row.locator("input.queues").fill("A, B")
    await row.locator("button.primary").click()
    await page.wait_for_selector("#window-list tr[data-window='15'] .edited")
    await page.screenshot(path=str(artifacts_dir / "manage-admin-windows.png"), full_page=True)

    await page.click("[data-tab=calendar]")
    await page.fill("#day-form [name=day]", "2026-12-31")
    await page.fill("#day-form [name='zh-Hans']", "年终盘点")
    await page.fill("#day-form [name='zh-Hant']", "年終盤點")
    await page.fill("#day-form [name=en]", "Year-end stocktaking")
    await page.click("#day-form button[type=submit]")
    await page.wait_for_selector("#day-list tr[data-day='2026-12-31']")
    await page.set_input_files("#year-form [name=file]", files=[{
        "name": "2027.toml", "mimeType": "text/plain", "buffer": b"year = 2027\n[[holidays]\n"}])
    await page.click("#year-form button[type=submit]")
    await page.wait_for_selector("#status.error")
    assert "calendar_syntax_error" in await page.inner_text("#status")
    await page.screenshot(path=str(artifacts_dir / "manage-admin-calendar.png"), full_page=True)

    await page.click("[data-tab=staff]")
    await page.fill("#staff-form [name=username]", "clerk-new")
    await page.fill("#staff-form [name=display_name]", "新同事")
    await page.select_option("#staff-form [name=role]", "counter")
    await page.fill("#staff-form [name=password]", "a-long-password")
    await page.click("#staff-form button[type=submit]")
    await page.wait_for_selector("#staff-list tr[data-username='clerk-new']")
    await page.screenshot(path=str(artifacts_dir / "manage-admin-staff.png"), full_page=True)

    await page.click("[data-tab=tokens]")
    await page.fill("#kiosk-form [name=name]", "kiosk-lobby-2")
    await page.click("#kiosk-form button[type=submit]")
    await page.wait_for_selector("#token-value")
    token = await page.inner_text("#token-value")
    async with httpx.AsyncClient(base_url=hall_server.url + "/api/v1", timeout=30) as client:
        reply = await client.get("/services", headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 200
    await page.screenshot(path=str(artifacts_dir / "manage-admin-tokens.png"), full_page=True)

    await page.click("[data-tab=audit]")
    await page.wait_for_function("document.querySelectorAll('#audit-list tbody tr').length >= 4")
    audit_text = await page.inner_text("#audit-list")
    assert token not in audit_text and "a-long-password" not in audit_text
    assert page.errors == []


async def test_a_manager_reads_the_administration_without_its_buttons(
    hall_server: HallServer, browser: Any, artifacts_dir: Path
) -> None:
    page = await signed_in(browser, hall_server, "manager1")
    await page.wait_for_selector("#service-list tr[data-code='SB-001']")
    assert await page.is_visible("#read-only")
    await page.click("#service-list tr[data-code='SB-001']")
    assert not await page.is_visible("#service-form button[type=submit]")
    assert await page.is_disabled("[name='zh-Hans.fee']")
    await page.click("[data-tab=staff]")
    await page.wait_for_selector("#staff-list tr[data-username='admin']")
    assert not await page.is_visible("#staff-form")
    await page.screenshot(path=str(artifacts_dir / "manage-admin-manager-readonly.png"), full_page=True)
    assert page.errors == []
