"""A call from a loaded kiosk lasts its full length with the data channel flowing.

The kiosk peer runs on an event loop that is busy most of the time (as the kiosk's one thread is
while it draws the screen under software GL) while a separate process keeps one core spinning;
the staff peer runs on its own loop in its own thread, as the far end of a network would.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest

from remote_assist.kiosk_peer import KioskPeer
from remote_assist.media import synthetic_media
from remote_assist.staff_peer import StaffPeer

from .conftest import Relay

pytestmark = pytest.mark.slow

CALL_S = 20.0
T = TypeVar("T")


class StaffThread:
    """The staff peer on its own event loop in a thread; the test awaits its coroutines."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.peer: StaffPeer | None = None

    async def run(self, make: Callable[[], Awaitable[T]]) -> T:
        async def call() -> T:
            return await make()

        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(call(), self.loop))

    def close(self) -> None:
        if self.peer is not None:
            asyncio.run_coroutine_threadsafe(self.peer.close(), self.loop).result(15)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def cpu_hog() -> Iterator[None]:
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        hog.kill()
        hog.wait()


async def busy_screen(stop: asyncio.Event) -> None:
    """Redraws that take 100 ms each, back to back, as the kiosk's window under software GL.

    Kivy's clock sleeps only what is left of a frame's time: a frame that overruns is followed
    by a zero sleep, so between two redraws the loop turns once.
    """
    while not stop.is_set():
        until = time.perf_counter() + 0.1
        while time.perf_counter() < until:
            pass
        await asyncio.sleep(0)


async def test_a_loaded_kiosk_keeps_its_call_and_chat_flowing_for_the_full_length(
    relay: Relay, cpu_hog: None
) -> None:
    staff = StaffThread()
    chats_in: list[int] = []
    all_in = asyncio.Event()
    expected = [0]
    echoing: set[asyncio.Task[None]] = set()
    peer: KioskPeer

    def on_event(kind: str, data: dict[str, Any]) -> None:
        if kind == "chat":
            n = int(data["text"].split()[1])
            chats_in.append(n)
            if len(chats_in) == expected[0]:
                all_in.set()
            task = asyncio.ensure_future(peer.send_to_staff({"type": "chat", "text": f"echo {n}"}))
            echoing.add(task)
            task.add_done_callback(echoing.discard)

    peer = KioskPeer(
        relay.url.replace("ws://", "http://"), "kt-k1",
        media=lambda: synthetic_media("kiosk-01", 640, 480, 30), on_event=on_event,
    )
    stop = asyncio.Event()
    try:
        staff.peer = await staff.run(lambda: StaffPeer.connect(relay.staff_url(), ["HRSS"]))
        agent = staff.peer
        call = asyncio.create_task(peer.call("HRSS", "zh-Hans"))
        await staff.run(agent.take_call)
        await asyncio.wait_for(peer.connected.wait(), 30)
        await staff.run(agent.channel_open.wait)
        screen = asyncio.create_task(busy_screen(stop))
        started = time.monotonic()
        sent = 0
        while time.monotonic() - started < CALL_S:
            await asyncio.sleep(1.0)
            assert not call.done(), f"the call ended after {time.monotonic() - started:.0f} s"
            sent += 1

            async def push(n: int = sent) -> None:
                agent.push({"type": "chat", "text": f"ping {n}"})

            await staff.run(push)
        # The chat reached the kiosk while it was loaded (the last line or two may be on the way):
        # reading one datagram per turn of the loop, it came only once the load was gone.
        arrived = len(chats_in)
        stop.set()
        await screen
        assert arrived >= sent - 2, f"only {arrived} of {sent} chat lines arrived during the call"
        expected[0] = sent
        if len(chats_in) < sent:
            await asyncio.wait_for(all_in.wait(), 15)
        echoes: list[int] = []

        async def collect() -> None:
            while len(echoes) < sent:
                echoes.append(int((await agent.next_dc("chat"))["text"].split()[1]))

        await asyncio.wait_for(staff.run(collect), 15)
        assert sorted(chats_in) == list(range(1, sent + 1)) and sorted(echoes) == chats_in
        # The kiosk degraded its sent video rather than dropping the call.
        assert peer.sending is not None and peer.sending.adapter.changes
        await staff.run(agent.hang_up)
        assert await asyncio.wait_for(call, 15) == "staff_hangup"
    finally:
        stop.set()
        if not peer._end.is_set():
            await peer.hangup()
        staff.close()

