"""Synthetic media, muting, frame conversion, and the kiosk peer's small pure parts."""

from __future__ import annotations

import aioice
import av
import pytest

from remote_assist.kiosk_peer import AssistCallError, bound_ice_gathering, ws_url
from remote_assist.media import MutableAudio, SineTone, SyntheticCamera, frame_rgb, synthetic_media


async def test_synthetic_camera_draws_a_changing_yuv_pattern() -> None:
    camera = SyntheticCamera("kiosk-01", 320, 240, fps=60)
    first = await camera.recv()
    second = await camera.recv()
    assert (first.width, first.height, first.format.name) == (320, 240, "yuv420p")
    assert bytes(first.planes[0]) != bytes(second.planes[0])  # clock and moving block
    assert second.pts > first.pts
    assert camera.last is second
    assert camera.snapshot_jpeg().startswith(b"\xff\xd8")
    camera.stop()


def test_synthetic_camera_refuses_odd_sizes() -> None:
    with pytest.raises(ValueError):
        SyntheticCamera("k", 321, 240)


async def test_tone_frames_are_20_ms_of_48_khz_audio() -> None:
    tone = SineTone()
    frames = [await tone.recv() for _ in range(3)]
    assert all(f.samples == 960 and f.sample_rate == 48000 for f in frames)
    assert [f.pts for f in frames] == [0, 960, 1920]
    assert any(bytes(frames[1].planes[0]))


async def test_muting_sends_silence_of_the_same_shape() -> None:
    mic = MutableAudio(SineTone())
    loud = await mic.recv()
    mic.muted = True
    quiet = await mic.recv()
    assert any(bytes(loud.planes[0]))
    assert not any(bytes(quiet.planes[0])[: quiet.samples * 2])
    assert (quiet.samples, quiet.sample_rate, quiet.pts) == (960, 48000, 960)


async def test_local_media_mutes_and_shows_its_newest_frame() -> None:
    media = synthetic_media("k", 160, 120)
    assert not media.muted
    media.set_muted(True)
    assert media.muted
    assert media.latest_video_frame is None
    assert media.video is not None
    await media.video.recv()
    assert media.latest_video_frame is not None
    assert media.snapshot_jpeg() is not None
    media.stop()


def test_frame_rgb_packs_rows_and_scales_down() -> None:
    frame = av.VideoFrame(640, 480, "yuv420p")
    for plane in frame.planes:
        plane.update(bytes([128]) * plane.buffer_size)
    width, height, data = frame_rgb(frame, max_width=320)
    assert (width, height, len(data)) == (320, 240, 320 * 240 * 3)
    width, height, data = frame_rgb(frame)
    assert (width, height, len(data)) == (640, 480, 640 * 480 * 3)


def test_ws_url_from_the_hall_url() -> None:
    assert (
        ws_url("http://127.0.0.1:8000", "kiosk", "a b") == "ws://127.0.0.1:8000/ws/assist/kiosk?token=a%20b"
    )
    assert (
        ws_url("https://hall.example/base/", "staff", "t")
        == "wss://hall.example/base/ws/assist/staff?token=t"
    )
    with pytest.raises(AssistCallError) as info:
        ws_url("ftp://x", "kiosk", "t")
    assert info.value.code == "invalid_hall_url"


def test_gathering_wait_is_bounded() -> None:
    function = aioice.Connection.get_component_candidates
    saved = function.__defaults__
    try:
        bound_ice_gathering(1.0)
        assert function.__defaults__ == (1.0,)
        bound_ice_gathering(0)
        assert function.__defaults__ == (0.1,)
    finally:
        function.__defaults__ = saved
