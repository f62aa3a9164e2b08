"""What calling screens read (DESIGN §4.6): recent calls, and the events of ``/sites/{site}/calls/stream``.

Each event is one ``data:`` line of JSON with a ``type``: ``state`` first on every connection (the floor as
it is now), then ``called`` for each call or recall, ``waiting`` when the people waiting per queue change,
``window`` when a window's ticket or state changes. Nothing here names a citizen.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hall_contract.base import Answer

WindowState = Literal["open", "paused", "closed"]


class VoiceSegment(Answer):
    """Clips (paths on the hall) played one after another; ``lang`` is null for the chime."""

    lang: str | None = None
    clips: tuple[str, ...] = ()


class Call(Answer):
    """A ticket called to a window: the sentence in each announce language (``say``) and the clips that
    speak it (``voice``: the chime, then each language in turn, the round said twice)."""

    type: Literal["called"] = "called"
    ticket: str
    window: str
    area: str = ""
    areas: dict[str, str] = Field(default_factory=dict)
    recall: bool = False
    at: str
    say: dict[str, str] = Field(default_factory=dict)
    voice: tuple[VoiceSegment, ...] = ()


class CallList(Answer):
    site: str
    calls: tuple[Call, ...] = ()


class WindowShown(Answer):
    """What a window's own display shows: the number being served, or that it is paused or closed."""

    ticket: str | None = None
    state: WindowState = "open"


class FloorState(Answer):
    """The first event of every connection: enough to draw the screen without any earlier event."""

    type: Literal["state"] = "state"
    site: str
    names: dict[str, str] = Field(default_factory=dict)
    calls: tuple[Call, ...] = ()
    waiting: dict[str, int] = Field(default_factory=dict)
    windows: dict[str, WindowShown] = Field(default_factory=dict)
    notice: dict[str, str] = Field(default_factory=dict)
    announce: tuple[str, ...] = ("zh-Hans",)
    voice_pack: str = "default"
    now: str


class WaitingChanged(Answer):
    type: Literal["waiting"] = "waiting"
    waiting: dict[str, int] = Field(default_factory=dict)


class WindowChanged(Answer):
    type: Literal["window"] = "window"
    window: str
    ticket: str | None = None
    state: WindowState = "open"
