"""The rating pad and the citizen's phone in headless Chromium, driven by real API calls: the clerk completes
a ticket and the pad asks for the review; the line moves and the phone follows, then fills its screen."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import HallServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PAD_TOKEN = "demo-pad-token-HQ-15"  # the demo's pad at window 15 (the e2e hall runs as the demo)
LANDSCAPE = {"width": 1280, "height": 800}
PORTRAIT = {"width": 800, "height": 1280}


class Floor:
    """The kiosk and counter1 at window 15, through the API."""

    def __init__(self, hall: HallServer) -> None:
        self.hall = hall
        self.api = httpx.Client(base_url=hall.url + "/api/v1", timeout=30)
        login = self.api.post("/auth/login", json={"username": "counter1", "password": "demo1234"})
        self.clerk = {"Authorization": f"Bearer {login.json()['token']}"}
        signed = self.api.post("/windows/15/sign-in", params={"site": "HQ"}, headers=self.clerk)
        assert signed.status_code == 200, signed.text

    def take(self) -> dict[str, Any]:
        reply = self.api.post("/tickets", json={"service": "SB-001"},
                              headers={"Authorization": f"Bearer {self.hall.kiosk_token}"})
        assert reply.status_code == 201, reply.text
        return dict(reply.json())

    def window(self, action: str) -> dict[str, Any]:
        reply = self.api.post(f"/counters/15/{action}", params={"site": "HQ"}, headers=self.clerk)
        assert reply.status_code == 200, reply.text
        return dict(reply.json())

    def serve_one(self) -> dict[str, Any]:
        ticket = self.take()
        assert self.window("call-next")["id"] == ticket["id"]
        return self.window("complete")


async def open_pad(browser: Any, hall: HallServer, viewport: dict[str, int]) -> Any:
    page = await browser.new_page(viewport=viewport, has_touch=True)  # a tablet: touched, not clicked
    await page.goto(f"{hall.url}/rate/HQ/15#token={PAD_TOKEN}")
    await page.wait_for_selector("body[data-screen=idle]")
    return page


async def test_the_pad_asks_after_completion_takes_a_bad_review_with_reasons_and_clears(
    hall_server: HallServer, browser: Any, artifacts_dir: Path
) -> None:
    floor = Floor(hall_server)
    page = await open_pad(browser, hall_server, LANDSCAPE)
    # The token left the address at once and stays with the pad.
    assert await page.evaluate("location.hash") == ""
    assert await page.evaluate("localStorage.getItem('hall-pad-token:HQ:15')") == PAD_TOKEN
    await page.screenshot(path=str(artifacts_dir / "floor_pad_idle.png"))
    ticket = floor.serve_one()
    await page.wait_for_selector("body[data-screen=levels]")
    assert await page.inner_text(".ticket") == f"号票 {ticket['number']}"
    assert [await b.get_attribute("data-level") for b in await page.query_selector_all(".levels button")] == [
        "5", "4", "3", "2", "1"]
    for lang, label in (("zh-Hant", "非常滿意"), ("en", "Very satisfied"), ("zh-Hans", "非常满意")):
        await page.click(f"#languages button[data-lang={lang}]")
        await page.wait_for_function(f"document.documentElement.lang === '{lang}'")
        assert label in await page.inner_text(".levels button[data-level='5']")
        await page.screenshot(path=str(artifacts_dir / f"floor_pad_levels_{lang}.png"))
    box = await page.query_selector(".levels button[data-level='2']")
    size = await box.bounding_box()
    assert size["height"] >= 150 and size["width"] >= 150  # a thumb, not a mouse pointer
    await box.tap()
    await page.wait_for_selector("body[data-screen=reasons]")
    assert await page.is_disabled("button[data-action=send]")  # a bad review says why
    await page.tap("button[data-reason=long_wait]")
    await page.screenshot(path=str(artifacts_dir / "floor_pad_reasons.png"))
    await page.tap("button[data-action=send]")
    await page.wait_for_selector("body[data-screen=thanks]")
    # Five working days after Wednesday 25 November 2026: Wednesday 2 December.
    assert "2026-12-02" in await page.inner_text("main")
    await page.screenshot(path=str(artifacts_dir / "floor_pad_thanks.png"))
    await page.wait_for_selector("body[data-screen=idle]", timeout=10000)
    admin = floor.api.post("/auth/login", json={"username": "admin", "password": "demo1234"}).json()["token"]
    cases = floor.api.get("/reviews/follow-ups", params={"site": "HQ"},
                          headers={"Authorization": f"Bearer {admin}"}).json()["follow_ups"]
    assert [(c["review"]["subject"]["id"], c["review"]["level"], c["review"]["reasons"]) for c in cases] == [
        (ticket["id"], 2, ["long_wait"])]
    await page.close()


async def test_an_unanswered_review_clears_itself_and_a_good_one_needs_no_reasons(
    hall_server: HallServer, browser: Any, artifacts_dir: Path
) -> None:
    floor = Floor(hall_server)
    clock = hall_server.app.state.hall.clock
    floor.serve_one()
    clock.advance(timedelta(seconds=57))  # the pad, opened now, has three seconds left to ask
    page = await open_pad_pending(browser, hall_server)
    await page.wait_for_selector("body[data-screen=idle]", timeout=10000)
    floor.serve_one()
    await page.wait_for_selector("body[data-screen=levels]")
    await page.screenshot(path=str(artifacts_dir / "floor_pad_levels_portrait.png"))
    await page.tap(".levels button[data-level='5']")
    await page.wait_for_selector("body[data-screen=thanks]")
    await page.close()


async def open_pad_pending(browser: Any, hall: HallServer) -> Any:
    page = await browser.new_page(viewport=PORTRAIT, has_touch=True)
    await page.goto(f"{hall.url}/rate/HQ/15#token={PAD_TOKEN}")
    await page.wait_for_selector("body[data-screen=levels]")
    return page


# Counts the phone's attempts to vibrate and to sound (a headless browser has no motor and no speaker).
INSTRUMENT = """
window.__vibrations = [];
navigator.vibrate = (pattern) => { window.__vibrations.push(pattern); return true; };
window.__tones = 0;
const Real = window.AudioContext;
window.AudioContext = class extends Real {
  createOscillator() { window.__tones += 1; return super.createOscillator(); }
};
"""


async def test_the_phone_follows_the_line_and_fills_the_screen_when_called(
    hall_server: HallServer, browser: Any, artifacts_dir: Path
) -> None:
    floor = Floor(hall_server)
    first, mine = floor.take(), floor.take()
    context = await browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                        is_mobile=True, has_touch=True)
    await context.add_init_script(INSTRUMENT)
    page = await context.new_page()
    await page.goto(f"{hall_server.url}/t/{mine['id']}")
    await page.wait_for_function("document.querySelector('footer').textContent.includes('Live')")
    await page.evaluate("window.__sameDocument = true")
    assert await page.inner_text("dd[data-field='People ahead']") == "1"
    await page.screenshot(path=str(artifacts_dir / "floor_phone_waiting.png"))
    assert floor.window("call-next")["id"] == first["id"]
    ahead = "document.querySelector(\"dd[data-field='People ahead']\").textContent"
    await page.wait_for_function(f"{ahead} === '0'")
    floor.window("complete")
    assert floor.window("call-next")["id"] == mine["id"]
    await page.wait_for_selector("#call")
    text = await page.inner_text("#call")
    assert "请到 15 号窗口" in text and "Please go to window 15" in text and "一楼B区" in text
    assert mine["number"] in text
    assert await page.evaluate("window.__vibrations.length") == 1
    assert await page.evaluate("window.__tones") == 2  # the two notes of the chime
    assert await page.evaluate("window.__sameDocument") is True  # updated live, never reloaded
    await page.screenshot(path=str(artifacts_dir / "floor_phone_called.png"))
    await page.tap("#call button")
    assert await page.query_selector("#call") is None
    hall_server.app.state.hall.clock.advance(timedelta(seconds=30))  # the hall's clock stands still in tests
    floor.window("recall")  # a recall calls again
    await page.wait_for_selector("#call")
    assert await page.evaluate("window.__vibrations.length") == 2
    floor.window("start")
    floor.window("park")  # on hold at the window: the phone says so and which window calls again
    await page.wait_for_function("document.body.dataset.status === 'parked'")
    assert "稍后再叫号" in await page.inner_text(".state")
    assert await page.inner_text("dd[data-field='Window']") == "15 号窗口"
    await page.screenshot(path=str(artifacts_dir / "floor_phone_parked.png"))
    hall_server.app.state.hall.clock.advance(timedelta(seconds=30))
    unparked = floor.api.post("/counters/15/unpark", params={"site": "HQ"}, headers=floor.clerk,
                              json={"number": mine["number"]})
    assert unparked.status_code == 200, unparked.text
    await page.wait_for_selector("#call")
    assert await page.evaluate("window.__vibrations.length") == 3
    floor.window("complete")
    await page.wait_for_function("document.body.dataset.status === 'done'")
    assert await page.query_selector("#call") is None
    await context.close()
