"""The hall server stopped and started again: plain errors, guides from the cache, and a retried
action that reuses its idempotency key so only one ticket is made.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hall_contract import Ticket, TicketBody
from kiosk.flows.catalogue_cache import CatalogueCache
from kiosk.flows.guides import GuidesFlow
from kiosk.flows.offline import retry_until_reachable
from kiosk.flows.ticket import TicketFlow
from kiosk.hall_client import HallUnreachable

pytestmark = pytest.mark.slow


async def test_guides_come_from_the_cache_while_the_hall_is_down(
    wednesday_morning: Any, tmp_path: Path
) -> None:
    cache = CatalogueCache(tmp_path / "cache")
    with wednesday_morning.client() as hall:
        flow = GuidesFlow(hall, cache)
        online = await flow.catalogue("zh_Hans")
        assert not online.from_cache and online.catalogue.services
        code = online.catalogue.services[0].code
        guide, cached = await flow.guide(code, "zh_Hans")
        assert not cached and guide.guide is not None

        wednesday_morning.stop()
        with pytest.raises(HallUnreachable):
            await hall.call(hall.services)
        offline = await flow.catalogue("zh_Hans")
        assert offline.from_cache
        assert [s.code for s in offline.catalogue.services] == [s.code for s in online.catalogue.services]
        saved, cached = await flow.guide(code, "zh_Hans")
        assert cached and saved.guide == guide.guide


async def test_retry_after_a_lost_reply_makes_one_ticket(wednesday_morning: Any) -> None:
    with wednesday_morning.client() as hall:
        flow = TicketFlow(hall)
        service = (await flow.services())[0].code
        action = ("ticket", service, None)
        key = flow.keys.key_for(action)
        # The first attempt reached the hall but its reply was lost on the way back.
        body = TicketBody(service=service)
        lost = await hall.call(hall.request, "POST", "/tickets", Ticket, body=body, idempotency_key=key)
        retried = await flow.walk_in(service)
        assert retried.id == lost.id and retried.number == lost.number
        following = await flow.walk_in(service)
    assert int(following.number[-3:]) == int(retried.number[-3:]) + 1


async def test_hall_down_then_back_recovers_by_itself_with_the_same_key(wednesday_morning: Any) -> None:
    with wednesday_morning.client(timeout=2.0, retries=0) as hall:
        flow = TicketFlow(hall)
        service = (await flow.services())[0].code
        wednesday_morning.stop()
        with pytest.raises(HallUnreachable):
            await flow.walk_in(service)
        key = flow.keys.key_for(("ticket", service, None))

        failures: list[int] = []
        restarted = threading.Event()

        def back_when_noticed(attempt: int) -> None:
            failures.append(attempt)
            if attempt == 2 and not restarted.is_set():
                restarted.set()
                threading.Thread(target=wednesday_morning.start, daemon=True).start()

        ticket = await asyncio.wait_for(
            retry_until_reachable(
                lambda: flow.walk_in(service), interval_s=0.2, on_unreachable=back_when_noticed
            ),
            timeout=90,
        )
        assert failures[:2] == [1, 2]
        assert flow.keys.pending() == []
        body = TicketBody(service=service)
        replay = await hall.call(hall.request, "POST", "/tickets", Ticket, body=body, idempotency_key=key)
    assert replay.id == ticket.id, "the retries all carried the key of the first attempt"


async def test_guides_cache_is_renewed_only_when_missing_or_stale(
    wednesday_morning: Any, tmp_path: Path
) -> None:
    cache = CatalogueCache(tmp_path / "cache")
    with wednesday_morning.client() as hall:
        fresh = GuidesFlow(hall, cache)
        assert await fresh.refresh_if_stale("en") is True
        assert await fresh.refresh_if_stale("en") is False
        saved = cache.load("en")
        assert saved is not None and saved.guides and all(s.guide for s in saved.guides.values())
        stale = GuidesFlow(hall, cache, max_age=timedelta(0))
        assert await stale.refresh_if_stale("en") is True
