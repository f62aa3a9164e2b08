"""The kiosk's sent video track: paces the camera to the adapter's step, scales it, and times the sender.

aiortc's sender calls ``recv()``, encodes the frame in a worker thread and sends its packets, then
calls ``recv()`` again: the time between handing a frame over and the next call is what sending
that frame cost, on a loaded kiosk including the wait for the event loop to come back to it.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import time
from typing import Any

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from remote_assist.adaptive import FrameTiming, SendAdapter, SendStep, ladder_for

log = logging.getLogger(__name__)

CLOCK_RATE = 90000
TIME_BASE = fractions.Fraction(1, CLOCK_RATE)


class AdaptiveVideo(MediaStreamTrack):
    """Sends ``source``'s frames at the adapter's format; drops what the step has no room for.

    A source with ``on_demand`` set (the synthetic camera) draws a frame when asked, so it is asked
    only when one is due; a live camera delivers at its own rate, so every frame is read and the
    ones arriving before their turn are dropped (never queued). Timestamps follow the wall clock,
    so a frame sent late is shown late rather than the whole picture drifting behind the sound.
    """

    kind = "video"

    def __init__(self, source: MediaStreamTrack, width: int, height: int, fps: int,
                 adapter: SendAdapter | None = None) -> None:
        super().__init__()
        self.source = source
        self.adapter = adapter or SendAdapter(ladder_for(width, height, fps))
        self.sent = 0
        self.dropped = 0
        self._start: float | None = None
        self._due: float | None = None
        self._handed_at: float | None = None
        self._late_s = 0.0
        self._last_pts = -1

    @property
    def step(self) -> SendStep:
        return self.adapter.step

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._handed_at is not None:
            changed = self.adapter.record(FrameTiming(now, now - self._handed_at, self._late_s))
            if changed is not None:
                log.info("sent video now %s", changed.label)
        if self._start is None:
            self._start = self._due = now
        frame = await self._next_due_frame()
        step = self.adapter.step
        if (frame.width, frame.height) != (step.width, step.height):
            scaled = frame.reformat(width=step.width, height=step.height, format="yuv420p")
            scaled.pts, scaled.time_base = frame.pts, frame.time_base
            frame = scaled
        handed = time.monotonic()
        assert self._due is not None
        self._late_s = max(0.0, handed - self._due)
        interval = 1 / step.fps
        # Behind by more than a frame: start the schedule again from now instead of sending a burst.
        self._due = handed + interval if handed - self._due > interval else self._due + interval
        pts = max(self._last_pts + 1, int((handed - self._start) * CLOCK_RATE))
        frame.pts, frame.time_base = pts, TIME_BASE
        self._last_pts = pts
        self._handed_at = handed
        self.sent += 1
        return frame

    async def _next_due_frame(self) -> av.VideoFrame:
        assert self._due is not None
        if getattr(self.source, "on_demand", False):
            delay = self._due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            return await self._read()
        while True:
            frame = await self._read()
            # A live camera's frames come a little before or after their slot: half a frame's slack.
            if time.monotonic() >= self._due - 0.5 / self.adapter.step.fps:
                return frame
            self.dropped += 1

    async def _read(self) -> av.VideoFrame:
        frame: Any = await self.source.recv()
        if not isinstance(frame, av.VideoFrame):
            raise MediaStreamError
        return frame

    def record(self) -> dict[str, Any]:
        """What the call sent: frames, the step at the end, the lowest step and every change."""
        lowest = self.adapter.ladder[max([self.adapter.level, *(self.adapter.ladder.index(s)
                                                                 for _, s in self.adapter.changes)])]
        return {
            "frames_sent": self.sent,
            "sent_step": self.step.label,
            "lowest_step": lowest.label,
            "steps": [step.label for _, step in self.adapter.changes],
        }
