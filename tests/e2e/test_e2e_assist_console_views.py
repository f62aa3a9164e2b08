"""The console's counter and fleet views against the hall server, in headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import HallServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def _sign_in(browser: Any, hall: HallServer, username: str) -> Any:
    page = await browser.new_page(viewport={"width": 1300, "height": 900})
    await page.goto(f"{hall.url}/console/")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", "demo1234")
    await page.click("#login-form button[type=submit]")
    return page


async def test_wrong_password_is_said_plainly(hall_server: HallServer, browser: Any) -> None:
    page = await browser.new_page()
    await page.goto(f"{hall_server.url}/console/")
    await page.fill("input[name=username]", "agent1")
    await page.fill("input[name=password]", "wrong-password")
    await page.click("#login-form button[type=submit]")
    await page.wait_for_function("document.getElementById('login-error').textContent.length > 0")
    assert "Sign-in" in await page.inner_text("#login-error") or "Wrong" in await page.inner_text(
        "#login-error"
    )
    assert await page.is_hidden("#seat")
    await page.close()


async def test_technician_sees_the_fleet(hall_server: HallServer, browser: Any, artifacts_dir: Path) -> None:
    heartbeat = {
        "app_version": "0.1.0",
        "uptime_s": 120,
        "devices": {
            "printer": {"state": "degraded", "reason": "paper_near_end"},
            "id_card": {"state": "ok", "reason": None},
            "scanner": {"state": "offline", "reason": "device_not_found"},
        },
        "screen": "home",
    }
    async with httpx.AsyncClient(base_url=hall_server.url + "/api/v1") as client:
        reply = await client.post(
            "/kiosks/heartbeat",
            json=heartbeat,
            headers={"Authorization": f"Bearer {hall_server.kiosk_token}"},
        )
    assert reply.status_code == 200, reply.text
    page = await _sign_in(browser, hall_server, "tech1")
    await page.wait_for_selector("#fleet:not([hidden])")
    assert await page.is_hidden("#seat") and await page.is_hidden("#counter")
    await page.wait_for_selector("#fleet-table tbody tr")
    row = await page.inner_text("#fleet-table tbody tr")
    assert "kiosk-01" in row and "paper_near_end" in row and "Online" in row
    assert await page.query_selector("#fleet-table .dev-offline") is not None
    await page.screenshot(path=str(artifacts_dir / "assist_console_fleet.png"), full_page=True)
    await page.close()
