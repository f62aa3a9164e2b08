"""Video-help calls reach the hall's event log through the relay's call ledger, and /stats/assist reads
them: one call answered after 45 s and talked for 5 minutes, one abandoned."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from hall_server.store import models as m

from .conftest import Peer
from .test_assist_hall import WEDNESDAY_MORNING, HallServer, hall  # noqa: F401 - the fixture

pytestmark = pytest.mark.db

KINDS = ["assist_queued", "assist_answered", "assist_ended", "assist_queued", "assist_abandoned"]


async def stored_kinds(server: HallServer, count: int) -> list[str]:
    # The ledger writes off the relay's event loop: wait for the rows, never sleep a fixed time.
    from hall_server.store.database import Database

    db = Database(server.db_url, pool_size=1)
    try:
        for _ in range(200):
            with db.read() as conn:
                kinds = [r.kind for r in conn.execute(select(m.events.c.kind, m.events.c.at)
                                                      .where(m.events.c.kind.like("assist_%"))
                                                      .order_by(m.events.c.at, m.events.c.id))]
            if len(kinds) >= count:
                return kinds
            await asyncio.sleep(0.05)
        return kinds
    finally:
        db.dispose()


async def test_calls_are_events_and_statistics(hall: HallServer) -> None:  # noqa: F811 - the fixture
    agent = await Peer.connect(f"{hall.ws}/ws/assist/staff?token={hall.login('agent1')}")
    await agent.expect("welcome")
    await agent.send({"type": "presence", "state": "available", "skills": ["general"]})
    await agent.expect("presence")
    kiosk = await Peer.connect(f"{hall.ws}/ws/assist/kiosk?token={hall.kiosk_token}")
    await kiosk.expect("welcome")

    await kiosk.send({"type": "call", "skill": "general", "lang": "zh-Hans"})
    call_id = (await agent.expect("incoming"))["call_id"]
    hall.clock.set(WEDNESDAY_MORNING + timedelta(seconds=45))
    await agent.send({"type": "accept", "call_id": call_id})
    await kiosk.expect("accepted")
    await agent.expect("accepted")
    hall.clock.set(WEDNESDAY_MORNING + timedelta(seconds=345))
    await agent.send({"type": "hangup", "call_id": call_id})
    await kiosk.expect("ended")
    await agent.expect("ended")

    hall.clock.set(WEDNESDAY_MORNING + timedelta(minutes=10))
    await kiosk.send({"type": "call", "skill": "general", "lang": "zh-Hans"})
    second = (await agent.expect("incoming"))["call_id"]
    await agent.send({"type": "decline", "call_id": second})
    hall.clock.set(WEDNESDAY_MORNING + timedelta(minutes=11))
    await kiosk.send({"type": "hangup", "call_id": second})
    await kiosk.expect("ended")
    assert await stored_kinds(hall, len(KINDS)) == KINDS
    await kiosk.close()
    await agent.close()

    token = hall.login("manager1")
    async with httpx.AsyncClient() as client:
        reply = await client.get(f"{hall.http}/api/v1/stats/assist", params={"site": "HQ"},
                                 headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["totals"] == {
        "calls": 2, "answered": 1, "answered_within_60s": 1, "answered_within_60s_share": 0.5, "abandoned": 1,
        "wait_p50_s": 45, "wait_p90_s": 45, "talk_mean_s": 300.0, "talk_p90_s": 300,
    }
    assert [row["department"] for row in reply.json()["assist"]] == ["general"]
