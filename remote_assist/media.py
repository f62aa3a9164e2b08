"""Media of a call: the kiosk's camera and microphone, the synthetic camera and tone, frame sinks.

The synthetic camera draws a colour-bar test pattern with a running clock and the kiosk's name
straight into YUV planes (no per-frame RGB conversion), so a simulated call costs what a real
camera would. Every received track is drained by a ``FrameSink`` so frames never pile up.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import io
import logging
import math
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import av
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, MediaStreamTrack, VideoStreamTrack
from PIL import Image, ImageDraw, ImageFont

import gov_fonts

log = logging.getLogger(__name__)

FONT = gov_fonts.REGULAR
BARS = [
    (235, 235, 235),
    (235, 235, 16),
    (16, 235, 235),
    (16, 235, 16),
    (235, 16, 235),
    (235, 16, 16),
    (16, 16, 235),
]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(str(FONT), size)
    except OSError:
        return ImageFont.load_default()


class SyntheticCamera(VideoStreamTrack):
    """A test pattern with a clock (to the millisecond) and the kiosk's name, at a steady rate."""

    # Draws a frame when asked: a slower reader costs fewer drawings, and nothing queues.
    on_demand = True

    def __init__(self, label: str, width: int = 640, height: int = 480, fps: int = 30) -> None:
        super().__init__()
        if width % 2 or height % 2 or not 1 <= fps <= 60:
            raise ValueError("width and height must be even and fps within 1..60")
        self.label = label
        self.width, self.height, self.fps = width, height, fps
        bars = Image.new("RGB", (width, height))
        draw = ImageDraw.Draw(bars)
        step = width / len(BARS)
        for i, colour in enumerate(BARS):
            draw.rectangle((int(i * step), 0, int((i + 1) * step), height), fill=colour)
        draw.rectangle((0, height * 3 // 4, width, height), fill=(16, 16, 16))
        y, u, v = bars.convert("YCbCr").split()
        self._y = y
        self._u = u.resize((width // 2, height // 2)).tobytes()
        self._v = v.resize((width // 2, height // 2)).tobytes()
        self._font = _font(max(12, height // 14))
        self._start = time.monotonic()
        self._count = 0
        self.last: av.VideoFrame | None = None

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self._pace()
        y = self._y.copy()
        draw = ImageDraw.Draw(y)
        now = datetime.now().strftime("%H:%M:%S.%f")[:-3]
        base = self.height * 3 // 4
        draw.text((12, base + 8), f"{self.label}  {now}", fill=235, font=self._font)
        # A moving block makes every frame differ even where the clock digits do not.
        x = (self._count * 8) % max(1, self.width - 40)
        draw.rectangle((x, base - 40, x + 40, base - 4), fill=16)
        self._count += 1
        frame = av.VideoFrame(self.width, self.height, "yuv420p")
        _fill(frame.planes[0], y.tobytes(), self.width)
        _fill(frame.planes[1], self._u, self.width // 2)
        _fill(frame.planes[2], self._v, self.width // 2)
        frame.pts, frame.time_base = pts, time_base
        self.last = frame
        return frame

    async def _pace(self) -> tuple[int, fractions.Fraction]:
        # VideoStreamTrack.next_timestamp paces at 30 fps; other rates pace here.
        if self.fps == 30:
            return await self.next_timestamp()
        due = self._start + self._count / self.fps
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        return int(self._count * 90000 / self.fps), fractions.Fraction(1, 90000)

    def snapshot_jpeg(self) -> bytes:
        """A still of the pattern (what a document held to the camera would be)."""
        half, full = (self.width // 2, self.height // 2), (self.width, self.height)
        u = Image.frombytes("L", half, self._u).resize(full)
        v = Image.frombytes("L", half, self._v).resize(full)
        image = Image.merge("YCbCr", (self._y, u, v)).convert("RGB")
        ImageDraw.Draw(image).text((12, 12), f"{self.label} 证件照片", fill=(16, 16, 16), font=self._font)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        return out.getvalue()


def _fill(plane: Any, data: bytes, width: int) -> None:
    if plane.line_size == width:
        plane.update(data)
        return
    pad = b"\x00" * (plane.line_size - width)
    plane.update(b"".join(data[i : i + width] + pad for i in range(0, len(data), width)))


class SineTone(AudioStreamTrack):
    """A 440 Hz tone, 48 kHz mono, in 20 ms frames."""

    RATE = 48000
    SAMPLES = 960

    def __init__(self, frequency: float = 440.0, amplitude: float = 0.2) -> None:
        super().__init__()
        period = self.RATE  # one second holds a whole number of cycles for an integer frequency
        level = int(32767 * amplitude)
        self._pcm = b"".join(
            int(level * math.sin(2 * math.pi * frequency * i / self.RATE)).to_bytes(2, "little", signed=True)
            for i in range(period)
        )
        self._t0: float | None = None
        self._pts = 0

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._t0 is None:
            self._t0 = time.monotonic()
        else:
            self._pts += self.SAMPLES
            delay = self._t0 + self._pts / self.RATE - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        offset = (self._pts % self.RATE) * 2
        frame = av.AudioFrame(format="s16", layout="mono", samples=self.SAMPLES)
        frame.planes[0].update(self._pcm[offset : offset + self.SAMPLES * 2])
        frame.sample_rate = self.RATE
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, self.RATE)
        return frame


class MutableAudio(MediaStreamTrack):
    """Passes a microphone's frames on, or silence of the same shape while ``muted``."""

    kind = "audio"

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.source = source
        self.muted = False

    async def recv(self) -> Any:
        frame = await self.source.recv()
        if not self.muted or not isinstance(frame, av.AudioFrame):
            return frame
        silent = av.AudioFrame(format=frame.format.name, layout=frame.layout.name, samples=frame.samples)
        for plane in silent.planes:
            plane.update(bytes(plane.buffer_size))
        silent.sample_rate, silent.pts, silent.time_base = frame.sample_rate, frame.pts, frame.time_base
        return silent

    def stop(self) -> None:
        super().stop()
        self.source.stop()


@dataclass
class LocalMedia:
    """The kiosk's outgoing tracks and how to stop what produces them."""

    video: MediaStreamTrack | None
    audio: MediaStreamTrack | None
    players: list[Any] = field(default_factory=list)
    # The camera's own width, height and rate: the top of the sent video's ladder.
    video_format: tuple[int, int, int] = (640, 480, 30)

    def __post_init__(self) -> None:
        if self.audio is not None and not isinstance(self.audio, MutableAudio):
            self.audio = MutableAudio(self.audio)

    @property
    def muted(self) -> bool:
        return isinstance(self.audio, MutableAudio) and self.audio.muted

    def set_muted(self, muted: bool) -> None:
        if isinstance(self.audio, MutableAudio):
            self.audio.muted = muted

    @property
    def latest_video_frame(self) -> Any:
        """The newest frame sent (the citizen's self view)."""
        return getattr(self.video, "last", None)

    def snapshot_jpeg(self) -> bytes | None:
        if isinstance(self.video, SyntheticCamera):
            return self.video.snapshot_jpeg()
        if isinstance(self.video, FrameTap) and self.video.last is not None:
            out = io.BytesIO()
            self.video.last.to_image().save(out, "JPEG", quality=85)
            return out.getvalue()
        return None

    def stop(self) -> None:
        for track in (self.video, self.audio):
            if track is not None:
                track.stop()
        for player in self.players:
            with contextlib.suppress(Exception):
                player.video and player.video.stop()
                player.audio and player.audio.stop()


def synthetic_media(label: str, width: int = 640, height: int = 480, fps: int = 30) -> LocalMedia:
    camera = SyntheticCamera(label, width, height, fps)
    return LocalMedia(camera, SineTone(), video_format=(width, height, fps))


class FrameTap(MediaStreamTrack):
    """Passes a source's frames on and keeps the newest (for a still photo of a document)."""

    kind = "video"

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.source = source
        self.last: av.VideoFrame | None = None

    async def recv(self) -> Any:
        frame = await self.source.recv()
        if isinstance(frame, av.VideoFrame):
            self.last = frame
        return frame


def device_media(
    video: str | None = "/dev/video0", audio: str | None = "default", audio_format: str = "pulse"
) -> LocalMedia:
    """The kiosk's real camera (V4L2) and microphone (PulseAudio or ALSA) through PyAV."""
    from aiortc.contrib.media import MediaPlayer

    players: list[Any] = []
    video_track = audio_track = None
    if video:
        camera = MediaPlayer(video, format="v4l2", options={"video_size": "640x480", "framerate": "30"})
        players.append(camera)
        video_track = FrameTap(camera.video) if camera.video is not None else None
    if audio:
        mic = MediaPlayer(audio, format=audio_format)
        players.append(mic)
        audio_track = mic.audio
    return LocalMedia(video_track, audio_track, players)


class FrameSink:
    """Reads a received track to the end, counting frames and keeping the newest video frame."""

    def __init__(self, track: MediaStreamTrack) -> None:
        self.track = track
        self.kind = track.kind
        self.frames = 0
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.latest: Any = None
        self.first_frame = asyncio.Event()
        self._task = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        try:
            while True:
                frame = await self.track.recv()
                now = time.monotonic()
                self.frames += 1
                self.last_at = now
                if self.first_at is None:
                    self.first_at = now
                    self.first_frame.set()
                if self.kind == "video":
                    self.latest = frame
        except (MediaStreamError, asyncio.CancelledError):
            return
        except Exception:  # a decoder failure ends this track only; the call's watchdog notices
            log.exception("receiving %s failed", self.kind)

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


def frame_rgb(frame: Any, max_width: int = 960) -> tuple[int, int, bytes]:
    """A video frame as packed RGB rows (top row first), scaled down to ``max_width`` if wider."""
    width, height = frame.width, frame.height
    if width > max_width:
        height = max(2, int(height * max_width / width) // 2 * 2)
        width = max_width
    rgb = frame.reformat(width=width, height=height, format="rgb24")
    plane = rgb.planes[0]
    data = bytes(plane)
    row = width * 3
    if plane.line_size != row:
        data = b"".join(data[i * plane.line_size : i * plane.line_size + row] for i in range(height))
    return width, height, data
