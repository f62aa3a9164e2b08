"""The calling screen and a window's display in headless Chromium (autoplay allowed by flag), against a hall
server process: a clerk calls through the staff API, the screen shows it and plays the clips in order, one at
a time; a recall is said again; after the hall's process restarts the screen shows the floor as it is."""

from __future__ import annotations

import itertools
import json
import math
import os
import socket
import subprocess
import sys
import wave
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from hall_server.clock import SettableClock
from hall_server.config import Settings
from hall_server.state.floor_bus import FloorEvent
from hall_server.state.hall_state import HallState
from hall_server.state.voice_packs import PACKAGED_DIR
from hall_server.store import identities
from hall_server.store.database import Database
from hall_server.usecases.counters import Counter

from .conftest import CHROMIUM, CHROMIUM_ARGS, WEDNESDAY_MORNING, HallServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
HQ = {"site": "HQ"}
KIOSK = {"Authorization": "Bearer demo-kiosk-token-HQ"}
# Counts every play() of any media element, its source, and when it ended or failed.
INSTRUMENT = """
window.__plays = [];
window.__elements = new Set();
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  if (!this.__watched) {
    this.__watched = true;
    window.__elements.add(this);
    // Capturing: these run before the page's own handlers, which start the next clip at once.
    this.addEventListener("ended", () => { window.__plays[this.__entry].ended = performance.now(); }, true);
    this.addEventListener("error", () => { window.__plays[this.__entry].error = true; }, true);
  }
  const playing = [...window.__elements].filter((el) => el !== this && !el.paused && !el.ended).length;
  this.__entry = window.__plays.length;
  const entry = { src: new URL(this.src).pathname, at: performance.now(), ended: null, error: false, playing,
                  refused: null };
  window.__plays.push(entry);
  return play.call(this).catch((error) => {
    entry.refused = error.name + ": " + error.message;
    throw error;
  });
};
"""


def short_pack(root: Path) -> Path:
    """The default pack's manifest with every clip a 40 ms tone (WAV), so a test hears a call in seconds."""
    data = json.loads((PACKAGED_DIR / "default" / "manifest.json").read_text("utf-8"))
    data["chime"] = data["chime"].replace(".opus", ".wav")
    files = [data["chime"]]
    for spoken in data["languages"].values():
        spoken["clips"] = {name: file.replace(".opus", ".wav") for name, file in spoken["clips"].items()}
        files += spoken["clips"].values()
    for n, file in enumerate(files):
        path = root / "default" / file
        path.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(8000)
            tone = (int(6000 * math.sin(2 * math.pi * (300 + 7 * n) * i / 8000)) for i in range(320))
            out.writeframes(b"".join(s.to_bytes(2, "little", signed=True) for s in tone))
    (root / "default" / "manifest.json").write_text(json.dumps(data), "utf-8")
    return root


def expected_clips(ticket: str, zh_window: list[str], en_window: list[str]) -> list[str]:
    """What a call must sound like, written out here rather than asked of the hall's own composer."""
    chars = list(ticket)
    said = {
        "zh-Hans": ["qing", *chars, "hao_dao", *zh_window, "hao_chuangkou_banli"],
        "yue": ["qing", *chars, "hao_dao", *zh_window, "hao_chuangkou_banli"],
        "en": ["number", *chars, "please_go_to_window", *en_window],
    }
    one_round = [f"/display/voice/default/{lang}/{c}.wav" for lang, clips in said.items() for c in clips]
    return ["/display/voice/default/chime.wav", *one_round, *one_round]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class HallProcess:
    url: str
    port: int
    db_url: str
    data_dir: Path
    voice_dir: Path
    proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        env = {**os.environ, "HALL_DATA_DIR": str(self.data_dir)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hall_server", "serve", "--port", str(self.port), "--db", self.db_url,
             "--demo", "--no-demo-history", "--now", WEDNESDAY_MORNING.isoformat(),
             "--voice-packs", str(self.voice_dir)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("listening on "):
                return
        raise AssertionError(f"the hall did not start: {self.proc.stderr.read() if self.proc.stderr else ''}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None

    def staff(self, window: str = "15", username: str = "counter1") -> httpx.Client:
        """A counter clerk signed in at ``window`` (one clerk a window: a counter account is made for a
        username the demo lacks)."""
        db = Database(self.db_url, pool_size=1)
        try:
            with db.write() as conn:
                if not identities.staff_exists(conn, username):
                    identities.add_staff(conn, username, "counter", "demo1234", WEDNESDAY_MORNING)
        finally:
            db.dispose()
        client = httpx.Client(base_url=self.url + "/api/v1", timeout=10)
        login = client.post("/auth/login", json={"username": username, "password": "demo1234"})
        token = login.json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        signed = client.post(f"/windows/{window}/sign-in", params={"site": "HQ"})
        assert signed.status_code == 200, signed.text
        return client


@pytest.fixture
def hall_process(tmp_path: Path) -> Iterator[HallProcess]:
    port = free_port()
    hall = HallProcess(f"http://127.0.0.1:{port}", port, f"sqlite:///{tmp_path / 'hall.sqlite3'}", tmp_path,
                       short_pack(tmp_path / "voices"))
    hall.start()
    try:
        yield hall
    finally:
        hall.stop()


@pytest.fixture
async def chromium() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
            timeout=30000)
        try:
            yield browser
        finally:
            await browser.close()


async def screen(browser: Any, url: str, width: int = 1920, height: int = 1080) -> Any:
    page = await browser.new_page(viewport={"width": width, "height": height})
    await page.add_init_script(INSTRUMENT)
    await page.goto(url)
    await page.wait_for_function("document.getElementById('site-name')?.textContent.length > 0 "
                                 "|| document.getElementById('window-name')?.textContent.length > 0")
    return page


async def plays_after(page: Any, count: int) -> list[dict[str, Any]]:
    """Wait until ``count`` clips have been played to their end; the plays as the page recorded them."""
    await page.wait_for_function(
        f"window.__plays.length >= {count} && window.__plays[{count - 1}].ended !== null", timeout=60000)
    return list(await page.evaluate("window.__plays"))


def assert_one_at_a_time(plays: list[dict[str, Any]]) -> None:
    assert not [p for p in plays if p["error"] or p["refused"]], "a clip failed to play"
    assert all(p["playing"] == 0 for p in plays), "a clip started while another was playing"
    for before, after in itertools.pairwise(plays):
        assert before["ended"] is not None and before["ended"] <= after["at"], (before, after)


@contextmanager
def posted(hall: HallProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hall.url + "/api/v1", headers=KIOSK, timeout=10) as kiosk:
        yield kiosk


async def test_a_call_is_shown_and_said_recalled_and_quick_calls_wait_their_turn(
    hall_process: HallProcess, chromium: Any, artifacts_dir: Path
) -> None:
    with posted(hall_process) as kiosk:
        for _ in range(3):
            assert kiosk.post("/tickets", json={"service": "SB-001"}).status_code == 201
    page = await screen(chromium, f"{hall_process.url}/display/HQ")
    assert await page.inner_text("#site-name") == "示范区政务服务中心"
    assert "B" in await page.inner_text("#waiting")
    staff = hall_process.staff()

    assert staff.post("/counters/15/call-next", params={"site": "HQ"}).status_code == 200
    first = expected_clips("B001", ["10", "5"], ["15"])
    plays = await plays_after(page, len(first))
    assert [p["src"] for p in plays] == first
    assert await page.inner_text("#latest-ticket") == "B001"
    assert await page.inner_text("#latest-window") == "15"
    assert "一楼B区" in await page.inner_text("#latest-area")
    assert await page.inner_text("#caption") in ("请B001号到15号窗口办理", "請B001號到15號窗口辦理",
                                                 "Number B001, please go to window 15")
    await page.screenshot(path=str(artifacts_dir / "calling_screen_landscape.png"))

    assert staff.post("/counters/15/recall", params={"site": "HQ"}).status_code == 200
    plays = await plays_after(page, 2 * len(first))
    assert [p["src"] for p in plays[len(first):]] == first

    # Two calls a moment apart: the second waits until the first has been said, twice, to its end.
    at_16, at_17 = hall_process.staff("16", "counter2"), hall_process.staff("17", "counter3")
    assert at_16.post("/counters/16/call-next", params={"site": "HQ"}).status_code == 200
    assert at_17.post("/counters/17/call-next", params={"site": "HQ"}).status_code == 200
    second, third = expected_clips("B002", ["10", "6"], ["16"]), expected_clips("B003", ["10", "7"], ["17"])
    plays = await plays_after(page, 2 * len(first) + len(second) + len(third))
    assert [p["src"] for p in plays[2 * len(first):]] == second + third
    assert_one_at_a_time(plays)
    assert await page.evaluate("window.__elements.size") == 1
    recent = await page.eval_on_selector_all("#recent li", "items => items.map(li => li.dataset.ticket)")
    assert recent == ["B003", "B002", "B001"]
    assert await page.inner_text("#latest-ticket") == "B003"

    portrait = await screen(chromium, f"{hall_process.url}/display/HQ", width=1080, height=1920)
    await portrait.wait_for_function("document.querySelectorAll('#recent li').length === 3")
    await portrait.screenshot(path=str(artifacts_dir / "calling_screen_portrait.png"))
    assert await portrait.evaluate("window.__plays.length") == 0, "a page that opens announces nothing old"
    # A floor's own screen shows its area's calls only.
    zone_c = await screen(chromium, f"{hall_process.url}/display/HQ?area=二楼C区")
    await zone_c.wait_for_function("document.querySelectorAll('#waiting li').length > 0")
    assert await zone_c.eval_on_selector_all("#recent li", "items => items.length") == 0
    assert await zone_c.inner_text("#latest-ticket") == "—"
    zone_b = await screen(chromium, f"{hall_process.url}/display/HQ?area=Floor 1, Zone B")
    await zone_b.wait_for_function("document.querySelectorAll('#recent li').length === 3")
    window = await screen(chromium, f"{hall_process.url}/display/HQ/window/16", width=1280, height=720)
    await window.wait_for_function("document.getElementById('shown').textContent === 'B002'")
    await window.screenshot(path=str(artifacts_dir / "window_display.png"))
    closed = await screen(chromium, f"{hall_process.url}/display/HQ/window/48", width=1280, height=720)
    await closed.wait_for_function("document.getElementById('shown').textContent === '未开放'")


async def test_the_screen_comes_back_after_the_hall_restarts_and_shows_the_floor_as_it_is(
    hall_process: HallProcess, chromium: Any, artifacts_dir: Path
) -> None:
    with posted(hall_process) as kiosk:
        for _ in range(2):
            assert kiosk.post("/tickets", json={"service": "SB-001"}).status_code == 201
    hall_process.staff("16", "counter2")  # who calls at 16 while the hall is away
    page = await screen(chromium, f"{hall_process.url}/display/HQ")
    hall_process.staff().post("/counters/15/call-next", params={"site": "HQ"})
    await page.wait_for_function("document.getElementById('latest-ticket').textContent === 'B001'")
    said = len(await plays_after(page, len(expected_clips("B001", ["10", "5"], ["15"]))))

    hall_process.stop()
    await page.wait_for_selector("#link:not([hidden])")  # 重新连接中 while the hall is away
    # Meanwhile the floor moves on (the hall's own code on the same database, nobody listening):
    db = Database(hall_process.db_url, pool_size=1)
    try:
        settings = Settings(db_url=hall_process.db_url, data_dir=hall_process.data_dir)
        offline = HallState(settings, db, SettableClock(datetime.fromisoformat("2026-11-25T10:05:00+08:00")))
        assert Counter(offline, "HQ", "16", "counter2").call_next(None)["number"] == "B002"
    finally:
        db.dispose()
    hall_process.start()
    await page.wait_for_function("document.getElementById('latest-ticket').textContent === 'B002'",
                                 timeout=20000)
    await page.wait_for_selector("#link", state="hidden")
    recent = await page.eval_on_selector_all("#recent li", "items => items.map(li => li.dataset.ticket)")
    assert recent == ["B002", "B001"]
    assert "0" in await page.inner_text("#waiting")
    assert await page.evaluate("window.__plays.length") == said, "a state read again is not announced again"


async def test_a_paused_window_says_so_on_its_display(
    hall_server: HallServer, chromium: Any, artifacts_dir: Path
) -> None:
    page = await screen(chromium, f"{hall_server.url}/display/HQ/window/15", width=1280, height=720)
    await page.wait_for_function("document.getElementById('shown').textContent === '未开放'")  # no clerk
    async with httpx.AsyncClient(base_url=hall_server.url + "/api/v1", timeout=10) as client:
        login = await client.post("/auth/login", json={"username": "counter1", "password": "demo1234"})
        clerk = {"Authorization": f"Bearer {login.json()['token']}"}
        assert (await client.post("/windows/15/sign-in", params=HQ, headers=clerk)).status_code == 200
        await page.wait_for_function("document.getElementById('shown').textContent === '—'")
        assert (await client.post("/windows/15/pause", params=HQ, headers=clerk)).status_code == 200
        await page.wait_for_function("document.getElementById('shown').textContent === '暂停服务'")
        assert await page.inner_text("#label-en") == "Service paused"
        await page.screenshot(path=str(artifacts_dir / "window_display_paused.png"))
        assert (await client.post("/windows/15/resume", params=HQ, headers=clerk)).status_code == 200
        hall_server.app.state.hall.floor.publish(
            FloorEvent("called", "HQ", WEDNESDAY_MORNING, window="15", ticket="B007"))
        await page.wait_for_function("document.getElementById('shown').textContent === 'B007'")
        assert (await client.post("/windows/15/sign-out", params=HQ, headers=clerk)).status_code == 200
        await page.wait_for_function("document.getElementById('shown').textContent === '未开放'")


async def test_the_packaged_voice_plays_in_chromium(hall_server: HallServer, chromium: Any) -> None:
    async with httpx.AsyncClient(base_url=hall_server.url + "/api/v1", timeout=10) as client:
        taken = await client.post("/tickets", json={"service": "SB-001"},
                                  headers={"Authorization": f"Bearer {hall_server.kiosk_token}"})
        assert taken.status_code == 201
        page = await screen(chromium, f"{hall_server.url}/display/HQ")
        login = await client.post("/auth/login", json={"username": "counter1", "password": "demo1234"})
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        assert (await client.post("/windows/15/sign-in", params=HQ, headers=headers)).status_code == 200
        called = await client.post("/counters/15/call-next", params=HQ, headers=headers)
        assert called.status_code == 200
    # The chime and the first Mandarin sentence: real Ogg/Opus files decoded and played to their end.
    plays = await plays_after(page, 10)
    assert [p["src"] for p in plays[:2]] == ["/display/voice/default/chime.opus",
                                             "/display/voice/default/zh-Hans/qing.opus"]
    assert_one_at_a_time(plays[:10])
