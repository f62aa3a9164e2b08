"""Remote assistance mounted on the real hall server: auth by the hall's tokens, staffed hours, status."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import httpx
import pytest

from hall_server.app import create_app
from hall_server.clock import SettableClock
from hall_server.config import Settings
from hall_server.demo import DEMO_PASSWORD, seed_demo
from hall_server.store import schema
from hall_server.store.database import Database

from .conftest import Peer, ServerThread

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY_MORNING = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)

pytestmark = pytest.mark.db


@dataclass
class HallServer:
    http: str
    ws: str
    clock: SettableClock
    kiosk_token: str
    db_url: str = ""

    async def status(self) -> dict[str, Any]:
        async with httpx.AsyncClient() as client:
            reply = await client.get(
                f"{self.http}/api/v1/assist/status", headers={"Authorization": f"Bearer {self.kiosk_token}"}
            )
        assert reply.status_code == 200, reply.text
        return dict(reply.json())

    def login(self, username: str) -> str:
        reply = httpx.post(
            f"{self.http}/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
        )
        assert reply.status_code == 200, reply.text
        return str(reply.json()["token"])


@pytest.fixture
def hall(tmp_path: Path, migrated_db_url: str) -> Iterator[HallServer]:
    # A fresh database per test, as the hall tests have: events of one test never reach another.
    url = migrated_db_url
    settings = Settings(db_url=url, data_dir=tmp_path, demo=True)
    db = Database(url, pool_size=5)
    clock = SettableClock(WEDNESDAY_MORNING)
    token = seed_demo(db, clock.now(), tmp_path)
    app = create_app(settings, clock=clock, db=db)
    with ServerThread(app) as ws:
        yield HallServer(ws.replace("ws://", "http://"), ws, clock, token, url)
    db.dispose()


def test_status_needs_a_kiosk_or_staff_token(hall: HallServer) -> None:
    reply = httpx.get(f"{hall.http}/api/v1/assist/status")
    assert reply.status_code == 401 and reply.json()["error"]["code"] == "unauthorized"
    reply = httpx.get(
        f"{hall.http}/api/v1/assist/status", headers={"Authorization": f"Bearer {hall.kiosk_token}"}
    )
    assert reply.status_code == 200
    body = reply.json()
    assert (body["staffed_now"], body["agents_online"], body["callers_waiting"]) == (True, 0, 0)
    assert set(body) == {"staffed_now", "agents_online", "callers_waiting", "next_open"}


async def test_agent_and_kiosk_of_the_hall_reach_each_other(hall: HallServer) -> None:
    agent = await Peer.connect(f"{hall.ws}/ws/assist/staff?token={hall.login('agent1')}")
    welcome = await agent.expect("welcome")
    assert welcome["agent"] == {"id": "agent1", "name": "云坐席一号"}
    await agent.send({"type": "presence", "state": "available", "skills": ["general"]})
    await agent.expect("presence")
    kiosk = await Peer.connect(f"{hall.ws}/ws/assist/kiosk?token={hall.kiosk_token}")
    assert (await kiosk.expect("welcome"))["site"] == "HQ"
    await kiosk.send({"type": "call", "skill": "general", "lang": "zh-Hans"})
    incoming = await agent.expect("incoming")
    assert incoming["kiosk"] == "kiosk-01"
    status = await hall.status()
    assert (status["agents_online"], status["callers_waiting"]) == (1, 1)
    await kiosk.close()
    assert (await agent.expect("withdrawn"))["reason"] == "kiosk_left"
    await agent.close()


async def test_counter_staff_are_refused_on_the_agent_socket(hall: HallServer) -> None:
    peer = await Peer.connect(f"{hall.ws}/ws/assist/staff?token={hall.login('counter1')}")
    assert (await peer.expect("error"))["code"] == "forbidden"


async def test_at_night_the_kiosk_is_offered_the_next_opening(hall: HallServer) -> None:
    hall.clock.set(datetime(2026, 11, 25, 22, 30, tzinfo=SHANGHAI))
    kiosk = await Peer.connect(f"{hall.ws}/ws/assist/kiosk?token={hall.kiosk_token}")
    await kiosk.send({"type": "call", "skill": "general", "lang": "zh-Hans"})
    unavailable = await kiosk.expect("unavailable")
    assert unavailable["reason"] == "outside_hours"
    assert unavailable["next_open"] is not None
    assert datetime.fromisoformat(unavailable["next_open"]) > hall.clock.now()
    status = await hall.status()
    assert status["staffed_now"] is False and status["next_open"] == unavailable["next_open"]
    await kiosk.close()


def test_console_is_served(hall: HallServer) -> None:
    reply = httpx.get(f"{hall.http}/console/")
    assert reply.status_code == 200 and "<html" in reply.text.lower()


def test_every_file_the_console_loads_is_served(hall: HallServer) -> None:
    # The console's stylesheets and scripts, then each ES module's imports, followed like a browser would:
    # the page's own folder, the hall's shared files and remote assistance's call script.
    page = httpx.get(f"{hall.http}/console/").text
    pending = [urljoin("/console/", ref) for ref in re.findall(r'(?:href|src)="([^"]+\.(?:css|js))"', page)]
    served: dict[str, str] = {}
    while pending:
        path = pending.pop()
        if path in served:
            continue
        reply = httpx.get(f"{hall.http}{path}")
        assert reply.status_code == 200, path
        served[path] = reply.headers["content-type"]
        if path.endswith(".js"):
            imports = re.findall(r'^import .* from "([^"]+)";', reply.text, re.M)
            pending += [urljoin(path, ref) for ref in imports]
    assert {"/static/hall.css", "/static/hall.js", "/assist/web/call.js", "/assist/web/kiosk_tools.js",
            "/console/counter.js", "/console/fleet.js"} <= set(served)
    assert all(kind.startswith("text/javascript") for path, kind in served.items() if path.endswith(".js"))
    assert all(kind.startswith("text/css") for path, kind in served.items() if path.endswith(".css"))


def test_site_rules_set_the_video_help_wait_limit(tmp_path: Path) -> None:
    from hall_server.usecases.sites import site_profile

    url = f"sqlite:///{tmp_path / 'hall.sqlite3'}"
    db = Database(url, pool_size=1)
    schema.upgrade(db)
    settings = Settings(db_url=url, data_dir=tmp_path, demo=True)
    app = create_app(settings, clock=SettableClock(WEDNESDAY_MORNING), db=db)
    hub = app.state.assist
    assert hub.routing.wait_limit_s("HQ") == site_profile("HQ").settings.assist_wait_limit_seconds
    assert hub.routing.wait_limit_s("NOWHERE") == hub.settings.limits.wait_limit_s
    db.dispose()
