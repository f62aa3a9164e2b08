"""The floor bus: events reach every feed of their site in order, from any thread; a slow feed is dropped."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

import pytest

from hall_server.state.floor_bus import FEED_LIMIT, FeedClosed, FloorBus, FloorEvent

AT = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def called(site: str, number: str) -> FloorEvent:
    return FloorEvent("called", site, AT, window="15", ticket=number, queue=number[0])


def test_events_reach_every_feed_of_their_site_in_order_from_other_threads() -> None:
    async def run() -> tuple[list[str], list[str], int]:
        bus = FloorBus()
        async with bus.subscribe("HQ") as first, bus.subscribe("HQ") as second, bus.subscribe("B2") as other:
            numbers = [f"B{n:03d}" for n in range(1, 51)]
            publisher = threading.Thread(target=lambda: [bus.publish(called("HQ", n)) for n in numbers])
            publisher.start()
            got_first = [(await first.get()).ticket or "" for _ in numbers]
            got_second = [(await second.get()).ticket or "" for _ in numbers]
            publisher.join()
            bus.publish(called("B2", "A001"))
            assert (await other.get()).ticket == "A001"
            return got_first, got_second, bus.subscribers("HQ")

    first, second, count = asyncio.run(run())
    assert first == second == [f"B{n:03d}" for n in range(1, 51)]
    assert count == 2


def test_a_feed_is_removed_when_its_block_ends() -> None:
    async def run() -> int:
        bus = FloorBus()
        async with bus.subscribe("HQ"):
            assert bus.subscribers("HQ") == 1
        bus.publish(called("HQ", "A001"))  # nobody listens: nothing happens
        return bus.subscribers("HQ")

    assert asyncio.run(run()) == 0


def test_a_feed_that_falls_behind_is_closed_and_others_go_on() -> None:
    async def run() -> None:
        bus = FloorBus()
        async with bus.subscribe("HQ") as slow, bus.subscribe("HQ") as fast:
            for n in range(FEED_LIMIT + 5):
                bus.publish(called("HQ", f"A{n + 1:03d}"))
                await asyncio.sleep(0)
                assert (await fast.get()).ticket == f"A{n + 1:03d}"
            with pytest.raises(FeedClosed):
                await slow.get()

    asyncio.run(run())


def test_a_feed_gets_only_the_events_it_wants_and_is_not_woken_for_the_others() -> None:
    async def run() -> tuple[list[str], int]:
        bus = FloorBus()
        async with bus.subscribe("HQ", lambda e: e.queue == "B") as only_b, bus.subscribe("HQ") as every:
            for number in ("A001", "B001", "A002", "B002"):
                bus.publish(called("HQ", number))
            got_every = [(await every.get()).ticket or "" for _ in range(4)]
            got_b = [(await only_b.get()).ticket or "" for _ in range(2)]
            # Nothing else was put in the filtered feed: the other queue's events never reached it.
            return got_b + got_every, only_b._queue.qsize()

    got, left = asyncio.run(run())
    assert got == ["B001", "B002", "A001", "B001", "A002", "B002"]
    assert left == 0


def test_one_publish_wakes_each_event_loop_once_however_many_feeds_it_holds() -> None:
    wakeups: list[int] = []

    async def run() -> list[str]:
        bus = FloorBus()
        loop = asyncio.get_running_loop()
        real = loop.call_soon_threadsafe

        def counted(callback, *args, **kwargs):  # type: ignore[no-untyped-def]
            wakeups.append(1)
            return real(callback, *args, **kwargs)

        loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
        async with bus.subscribe("HQ") as a, bus.subscribe("HQ") as b, bus.subscribe("HQ") as c:
            publisher = threading.Thread(target=bus.publish, args=(called("HQ", "C001"),))
            publisher.start()
            publisher.join()
            return [(await f.get()).ticket or "" for f in (a, b, c)]

    assert asyncio.run(run()) == ["C001"] * 3
    assert len(wakeups) == 1


def test_ready_takes_the_queued_events_without_waiting_and_leaves_the_end_for_get() -> None:
    async def run() -> None:
        bus = FloorBus()
        async with bus.subscribe("HQ") as feed:
            assert feed.ready() == []
            for number in ("A001", "A002", "A003"):
                bus.publish(called("HQ", number))
            await asyncio.sleep(0)  # the hand-out runs on the loop
            assert (await feed.get()).ticket == "A001"
            assert [e.ticket for e in feed.ready()] == ["A002", "A003"]
            assert feed.ready() == []
            bus.publish(called("HQ", "A004"))
            await asyncio.sleep(0)
            feed.end()
            assert [e.ticket for e in feed.ready()] == ["A004"]
            assert feed.ready() == []
            with pytest.raises(FeedClosed):
                await asyncio.wait_for(feed.get(), 1)

    asyncio.run(run())
