"""What happened to each video-help call (queued, answered, ended, abandoned), told to the hall's event log.

The relay shows its routing's outbound messages to ``CallLedger.observe``: an ``accepted`` to the kiosk is
the answer, an ``ended`` (or a wait-limit ``unavailable``) closes the call; a kiosk that vanishes closes
its call too. A call closed before it was answered was abandoned. Across nodes, a waiting caller whose
socket went to another node is that node's to tell; one whose node went away and who never came back is
told ``lost`` by the one node whose routing change ended its call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from remote_assist.routing import Call, Outbound

# (kind, site, at, dimensions): the hall stores it; the relay never waits for it.
CallRecorder = Callable[[str, str, datetime, dict[str, Any]], None]


@dataclass
class _Open:
    site: str
    kiosk: str
    skill: str
    answered: bool = False


class CallLedger:
    """The calls still open on this node, and the recorder their transitions go to."""

    def __init__(self, record: CallRecorder, now: Callable[[], datetime]) -> None:
        self.record = record
        self.now = now
        self.open: dict[str, _Open] = {}

    def queued(self, call_id: str, kiosk: str, site: str, skill: str, *, tell: bool = True) -> None:
        self.open[call_id] = _Open(site, kiosk, skill)
        if tell:
            self._tell("assist_queued", call_id, detail=skill)

    def observe(self, out: Iterable[Outbound]) -> None:
        for item in out:
            message = item.message
            call_id = message.get("call_id")
            if item.to[0] != "kiosk" or call_id not in self.open:
                continue
            if message["type"] == "accepted":
                self.open[call_id].answered = True
                self._tell("assist_answered", call_id, clerk=str(message["agent"]["id"]))
            elif message["type"] in ("ended", "unavailable"):
                self._close(call_id, str(message.get("reason", "ended")))

    def kiosk_gone(self, kiosk: str, *, moved: bool = False) -> None:
        """The kiosk's socket went; ``moved``: to another node, where its waiting call goes on."""
        for call_id in [c for c, call in self.open.items() if call.kiosk == kiosk]:
            if moved and not self.open[call_id].answered:
                del self.open[call_id]
            else:
                self._close(call_id, "kiosk_gone")

    def lost(self, call: Call) -> None:
        """A caller whose node went away ended without coming back: abandoned."""
        self.open[call.call_id] = _Open(call.site, call.kiosk, call.skill)
        self._close(call.call_id, "node_lost")

    def _close(self, call_id: str, reason: str) -> None:
        kind = "assist_ended" if self.open[call_id].answered else "assist_abandoned"
        self._tell(kind, call_id, detail=reason[:40])
        del self.open[call_id]

    def _tell(self, kind: str, call_id: str, **dims: Any) -> None:
        call = self.open[call_id]
        self.record(kind, call.site, self.now(), {"subject": call_id, "kiosk": call.kiosk,
                                                   "department": call.skill, **dims})
