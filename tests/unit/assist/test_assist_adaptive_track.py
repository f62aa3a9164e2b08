"""The sent video track (remote_assist.adaptive_track) read by a stand-in sender that takes real time."""

from __future__ import annotations

import asyncio
import fractions
import time

import av
from aiortc.mediastreams import MediaStreamTrack

from remote_assist.adaptive import SendAdapter, ladder_for
from remote_assist.adaptive_track import AdaptiveVideo
from remote_assist.media import SyntheticCamera


async def _send(track: AdaptiveVideo, seconds: float, busy_share: float) -> list[av.VideoFrame]:
    """Read frames as aiortc's sender does, spending ``busy_share`` of each interval on each."""
    frames = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        frame = await track.recv()
        frames.append(frame)
        await asyncio.sleep(busy_share / track.step.fps)
    return frames


async def test_a_sender_that_falls_behind_gets_smaller_slower_frames() -> None:
    camera = SyntheticCamera("k", 640, 480, 15)
    adapter = SendAdapter(ladder_for(640, 480, 15), window_s=0.4, up_hold_s=30)
    track = AdaptiveVideo(camera, 640, 480, 15, adapter)
    frames = await _send(track, 2.5, 1.6)
    assert track.step.label == "320x240@5"
    assert [s.label for _, s in adapter.changes] == ["480x360@10", "320x240@8", "320x240@5"]
    assert (frames[0].width, frames[-1].width, frames[-1].height) == (640, 320, 240)
    record = track.record()
    assert record["lowest_step"] == "320x240@5" and record["frames_sent"] == len(frames)


async def test_timestamps_follow_the_wall_clock_when_frames_are_late() -> None:
    track = AdaptiveVideo(SyntheticCamera("k", 320, 240, 15), 320, 240, 15,
                          SendAdapter(ladder_for(320, 240, 15), window_s=60))
    started = time.monotonic()
    frames = await _send(track, 1.5, 3.0)  # each frame takes three intervals to send
    elapsed = time.monotonic() - started
    pts = [f.pts for f in frames]
    assert pts == sorted(set(pts))
    # The picture's clock keeps up with the wall clock instead of drifting behind it.
    assert abs(float(frames[-1].pts * frames[-1].time_base) - elapsed) < 0.4
    assert len(frames) < 15  # the late ones were never made, not sent in a burst


class LiveCamera(MediaStreamTrack):
    """Delivers 30 frames a second whether or not anyone is ready (a V4L2 camera through PyAV)."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.start = time.monotonic()

    async def recv(self) -> av.VideoFrame:
        self.count += 1
        await asyncio.sleep(max(0.0, self.start + self.count / 30 - time.monotonic()))
        frame = av.VideoFrame(320, 240, "yuv420p")
        frame.pts, frame.time_base = self.count * 3000, fractions.Fraction(1, 90000)
        return frame


async def test_a_live_camera_is_read_at_its_rate_and_thinned_to_the_step() -> None:
    camera = LiveCamera()
    track = AdaptiveVideo(camera, 320, 240, 30, SendAdapter(ladder_for(320, 240, 30), window_s=60))
    adapter = track.adapter
    adapter.level = len(adapter.ladder) - 1  # 320x240@5
    frames = await _send(track, 2.0, 0.1)
    # About 10 of the camera's 60, whatever a loaded machine makes of the exact count.
    assert 5 <= len(frames) <= 12 and track.dropped >= 2 * track.sent
    # Every camera frame was taken off the camera: nothing waits in its queue.
    assert track.dropped + track.sent >= camera.count - 2
