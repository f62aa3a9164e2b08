"""When the kiosk's sent video steps down or up: a ladder of formats and the decision from measured timings.

The decision is pure (every call is handed ``now``) so it is tested with sequences of timings; the
track that applies it is ``remote_assist.adaptive_track``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class SendStep:
    """One format the kiosk may send."""

    width: int
    height: int
    fps: int

    @property
    def cost(self) -> int:
        """Pixels per second, what encoding time grows with."""
        return self.width * self.height * self.fps

    @property
    def label(self) -> str:
        return f"{self.width}x{self.height}@{self.fps}"


# Below the camera's own format, in falling cost. 320x240@5 keeps a face readable for the agent.
LOWER_STEPS = (
    SendStep(640, 480, 15),
    SendStep(480, 360, 10),
    SendStep(320, 240, 8),
    SendStep(320, 240, 5),
)


def ladder_for(width: int, height: int, fps: int) -> tuple[SendStep, ...]:
    """The camera's own format first, then every lower step that costs less and is no larger."""
    top = SendStep(width, height, fps)
    lower = [s for s in LOWER_STEPS if s.cost < top.cost and s.width <= width and s.height <= height]
    return (top, *lower)


@dataclass(frozen=True)
class FrameTiming:
    """One sent frame: when it was handed over, how long sending it took, how late it was due."""

    at: float
    busy_s: float
    late_s: float


class SendAdapter:
    """Steps the sent format down when sending falls behind for ``window_s`` and up with hysteresis.

    A frame's load is the time the sender spent on it (encode, packetise, the loop getting back to
    it) plus its lateness, over the frame interval: above ``down_load`` on average over a full
    window, or frames later than one interval on average, is falling behind. Going up needs
    ``up_hold_s`` without a change and an average load that, scaled to the next step's cost, stays
    under ``up_load``; every step down that follows a step up doubles that hold (to ``max_hold_s``)
    so a kiosk that cannot keep a format does not try it every few seconds.
    """

    def __init__(
        self,
        ladder: tuple[SendStep, ...],
        *,
        window_s: float = 2.0,
        down_load: float = 0.85,
        up_load: float = 0.5,
        up_hold_s: float = 8.0,
        max_hold_s: float = 64.0,
    ) -> None:
        if not ladder:
            raise ValueError("the ladder needs at least one step")
        if not 0 < up_load < down_load:
            raise ValueError("up_load must be above 0 and below down_load")
        self.ladder = ladder
        self.window_s = window_s
        self.down_load = down_load
        self.up_load = up_load
        self.hold_s = up_hold_s
        self.max_hold_s = max_hold_s
        self.level = 0
        self.changed_at: float | None = None
        self._last_was_up = False
        self._timings: deque[FrameTiming] = deque()
        # (instant, the step taken) for every change, for the call's record and the benchmark.
        self.changes: list[tuple[float, SendStep]] = []

    @property
    def step(self) -> SendStep:
        return self.ladder[self.level]

    def record(self, timing: FrameTiming) -> SendStep | None:
        """Take one frame's timing; the new step when this changes it, else None."""
        if self.changed_at is None:
            self.changed_at = timing.at
        self._timings.append(timing)
        horizon = timing.at - max(self.window_s, self.hold_s)
        while self._timings and self._timings[0].at < horizon:
            self._timings.popleft()
        since = timing.at - self.changed_at
        if since >= self.window_s and self._behind(timing.at) and self.level < len(self.ladder) - 1:
            if self._last_was_up:
                self.hold_s = min(self.max_hold_s, self.hold_s * 2)
            return self._change(timing.at, self.level + 1, up=False)
        if since >= self.hold_s and self.level > 0 and self._headroom(timing.at):
            return self._change(timing.at, self.level - 1, up=True)
        return None

    def _loads(self, now: float, span: float) -> list[tuple[float, float]]:
        interval = 1 / self.step.fps
        assert self.changed_at is not None
        start = max(now - span, self.changed_at)
        return [
            ((t.busy_s + max(0.0, t.late_s)) / interval, max(0.0, t.late_s) / interval)
            for t in self._timings
            if t.at >= start
        ]

    def _behind(self, now: float) -> bool:
        loads = self._loads(now, self.window_s)
        if not loads:
            return False
        load = sum(x for x, _ in loads) / len(loads)
        late = sum(y for _, y in loads) / len(loads)
        return load > self.down_load or late > 1.0

    def _headroom(self, now: float) -> bool:
        loads = self._loads(now, self.hold_s)
        if not loads:
            return False
        load = sum(x for x, _ in loads) / len(loads)
        # A frame's busy time grows with its pixels and its interval shrinks with the rate, so the
        # load scales with the cost in pixels per second.
        up = self.ladder[self.level - 1]
        scaled = load * (up.cost / self.step.cost)
        return scaled < self.up_load

    def _change(self, now: float, level: int, *, up: bool) -> SendStep:
        self.level = level
        self.changed_at = now
        self._last_was_up = up
        self._timings.clear()
        self.changes.append((now, self.step))
        return self.step


class DrawPacer:
    """How often the kiosk redraws the call's pictures: fewer redraws when its ticks come late.

    Every redraw of the window holds the kiosk's one thread (under software GL for a long time),
    and the call's packets wait behind it. A tick that comes more than ``late_ratio`` intervals
    after the last one, on average over ``window_s``, means the thread is short: the rate steps
    down. After ``up_hold_s`` of ticks all within ``on_time_ratio`` intervals it steps back up;
    a rate that fails again doubles that hold (to ``max_hold_s``).
    """

    RATES = (15, 10, 6, 3, 2)

    def __init__(self, top: int = 15, *, window_s: float = 2.0, up_hold_s: float = 10.0,
                 max_hold_s: float = 80.0, late_ratio: float = 1.5, on_time_ratio: float = 1.2) -> None:
        if top < 1 or not 1 < on_time_ratio < late_ratio:
            raise ValueError("top must be at least 1 and 1 < on_time_ratio < late_ratio")
        self.rates: tuple[int, ...] = (top, *(r for r in self.RATES if r < top))
        self.window_s, self.up_hold_s, self.max_hold_s = window_s, up_hold_s, max_hold_s
        self._last_was_up = False
        self.late_ratio, self.on_time_ratio = late_ratio, on_time_ratio
        self.level = 0
        self._since: float | None = None
        self._ticks: deque[tuple[float, float]] = deque()

    @property
    def rate(self) -> int:
        return self.rates[self.level]

    def tick(self, now: float, dt: float) -> int | None:
        """One tick ``dt`` seconds after the last; the new rate when this changes it, else None."""
        if self._since is None:
            self._since = now
        self._ticks.append((now, dt))
        while self._ticks and self._ticks[0][0] < now - max(self.window_s, self.up_hold_s):
            self._ticks.popleft()
        since = now - self._since
        interval = 1 / self.rate
        recent = [d for t, d in self._ticks if t >= now - self.window_s and t >= self._since]
        late = bool(recent) and sum(recent) / len(recent) > self.late_ratio * interval
        if since >= self.window_s and late and self.level < len(self.rates) - 1:
            if self._last_was_up:
                self.up_hold_s = min(self.max_hold_s, self.up_hold_s * 2)
            return self._change(now, self.level + 1)
        held = [d for t, d in self._ticks if t >= self._since]
        if since >= self.up_hold_s and held and self.level > 0 and max(held) < self.on_time_ratio * interval:
            return self._change(now, self.level - 1)
        return None

    def _change(self, now: float, level: int) -> int:
        self._last_was_up = level < self.level
        self.level = level
        self._since = now
        self._ticks.clear()
        return self.rate
