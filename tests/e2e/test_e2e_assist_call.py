"""The staff console in headless Chromium takes a video call from the kiosk peer (synthetic camera)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from remote_assist.kiosk_peer import KioskPeer
from remote_assist.media import LocalMedia, synthetic_media

from .conftest import HallServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def _sign_in(browser: Any, hall: HallServer, username: str) -> Any:
    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
    return await _sign_in_on(page, hall, username)


async def test_the_console_sends_its_token_in_the_first_message_never_in_the_socket_url(
    hall_server: HallServer, browser: Any
) -> None:
    page = await browser.new_page()
    sockets: list[Any] = []

    def opened(socket: Any) -> None:
        sockets.append(socket)

    page.on("websocket", opened)
    async with asyncio.timeout(60):
        page = await _sign_in_on(page, hall_server, "agent1")
        await page.wait_for_selector("#signal-state.ok")  # welcomed: the first message carried the token
    assert sockets and all(s.url.endswith("/ws/assist/staff") and "token" not in s.url for s in sockets)
    await page.close()


async def _sign_in_on(page: Any, hall: HallServer, username: str) -> Any:
    await page.goto(f"{hall.url}/console/")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", "demo1234")
    await page.click("#login-form button[type=submit]")
    return page


async def _console(page: Any) -> dict[str, Any]:
    return dict(await page.evaluate("window.assistConsole.state()"))


async def test_console_takes_a_call_with_video_both_ways_qr_photo_consent_and_hangup(
    hall_server: HallServer, browser: Any, artifacts_dir: Path
) -> None:
    async with asyncio.timeout(120):
        page = await _sign_in(browser, hall_server, "agent1")
        await page.wait_for_selector("#seat:not([hidden])")
        await page.wait_for_function("document.querySelectorAll('#skills input').length > 1")
        await page.select_option("#presence", "available")
        await page.wait_for_selector("#signal-state.ok")

        events: list[tuple[str, dict[str, Any]]] = []
        seen: dict[str, asyncio.Event] = {}
        consent: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        consent_asked = asyncio.Event()

        def record(kind: str, data: dict[str, Any]) -> None:
            events.append((kind, data))
            seen.setdefault(kind, asyncio.Event()).set()

        async def saw(kind: str) -> dict[str, Any]:
            await seen.setdefault(kind, asyncio.Event()).wait()
            return next(d for k, d in reversed(events) if k == kind)

        async def ask(_request: dict[str, Any]) -> bool:
            consent_asked.set()
            return await consent

        def media() -> LocalMedia:
            return synthetic_media("kiosk-01")

        peer = KioskPeer(hall_server.url, hall_server.kiosk_token, media=media, on_event=record, consent=ask)
        call = asyncio.create_task(peer.call("general", "zh-Hans"))
        try:
            row = await page.wait_for_selector("#incoming tbody tr")
            assert "kiosk-01" in await row.inner_text()
            await page.click("#incoming tbody tr button.primary")

            await saw("first_video")  # the browser's fake camera decoded at the kiosk
            await page.wait_for_function("window.assistConsole.videoFramesDecoded().then(n => n > 10)")
            assert peer.latest_staff_frame is not None
            state = await _console(page)
            assert state["connection"] == "connected" and state["kiosk"] == "kiosk-01"
            await page.wait_for_function("document.getElementById('remote-video').videoWidth === 640")

            await page.fill("#push-qr input[name=text]", "https://hall.example/g/SB-001")
            await page.fill("#push-qr input[name=caption]", "社保查询指南")
            await page.click("#push-qr button")
            qr = await saw("show_qr")
            assert (qr["text"], qr["caption"]) == ("https://hall.example/g/SB-001", "社保查询指南")

            await page.fill("#request-photo input[name=purpose]", "身份证正面")
            await page.click("#request-photo button")
            await consent_asked.wait()
            assert "等待" in await page.inner_text("#photo-state")
            assert (await _console(page))["photosReceived"] == 0
            assert await page.is_hidden("#photo")
            consent.set_result(True)
            await page.wait_for_function("window.assistConsole.state().photosReceived === 1")
            assert await page.is_visible("#photo")
            assert (await _console(page))["lastPhotoBytes"] > 2000
            await page.screenshot(path=str(artifacts_dir / "assist_console_in_call.png"), full_page=True)

            await page.fill("#hangup-form textarea[name=note]", "已推送社保查询指南")
            await page.click("#hangup-form button")
            assert await call == "staff_hangup"
            assert peer.pc is not None and peer.pc.connectionState == "closed"
            await page.wait_for_function("window.assistConsole.state().callId === null")
            state = await _console(page)
            assert state["connection"] is None and state["lastEnd"]["reason"] == "staff_hangup"
            assert list(hall_server.app.state.assist.notes.values()) == ["已推送社保查询指南"]
            assert hall_server.app.state.assist.status()["calls_active"] == 0
        finally:
            if not call.done():
                await peer.hangup()
                await call
            await page.close()


async def test_refused_photo_never_reaches_the_console_and_kiosk_hangup_cleans_up(
    hall_server: HallServer, browser: Any
) -> None:
    async with asyncio.timeout(120):
        page = await _sign_in(browser, hall_server, "agent1")
        await page.wait_for_selector("#signal-state.ok")
        await page.select_option("#presence", "available")
        answered = asyncio.Event()

        async def refuse(_request: dict[str, Any]) -> bool:
            answered.set()
            return False

        first_video = asyncio.Event()
        peer = KioskPeer(
            hall_server.url,
            hall_server.kiosk_token,
            media=lambda: synthetic_media("kiosk-01", 320, 240),
            consent=refuse,
            on_event=lambda kind, data: first_video.set() if kind == "first_video" else None,
        )
        call = asyncio.create_task(peer.call("general", "en"))
        try:
            await page.click("#incoming tbody tr button.primary")
            await first_video.wait()
            await page.wait_for_function("window.assistConsole.state().channel === 'open'")
            await page.fill("#request-photo input[name=purpose]", "passport")
            await page.click("#request-photo button")
            await answered.wait()
            await page.wait_for_function("window.assistConsole.state().consent === false")
            assert (await _console(page))["photosReceived"] == 0
            assert await page.is_hidden("#photo")

            await peer.hangup()
            assert await call == "kiosk_hangup"
            await page.wait_for_function("window.assistConsole.state().callId === null")
            assert (await _console(page))["lastEnd"]["reason"] == "kiosk_hangup"
        finally:
            if not call.done():
                await peer.hangup()
                await call
            await page.close()
