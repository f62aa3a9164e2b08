"""The video-help call as a use case: consent → queue → call → pushed content → photo consent →
remote print → end, with no Kivy in it. The screen shows ``AssistCall``'s state and forwards touches.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.flows.printing import JobPrinter, print_jobs
from remote_assist.call_end import CallEnd, CallEndLog, end_code

# aiortc and PyAV (about 40 MB) are imported when a citizen starts a call, not with the screen.
if TYPE_CHECKING:
    from remote_assist.kiosk_peer import KioskPeer
    from remote_assist.media import LocalMedia

log = logging.getLogger(__name__)

# consent: asking to turn on camera and microphone; connecting: dialling the hall; queued: waiting
# for an agent; in_call: talking; ended / unavailable / failed: over.
STATES = ("consent", "connecting", "queued", "in_call", "ended", "unavailable", "failed")
OVERLAYS = ("show_guide", "show_qr", "show_form")
CAMERA_ENV = "KIOSK_ASSIST_CAMERA"
# The kiosk's last call ends, for the maintenance screen (one kiosk application per process).
RECENT_CALL_ENDS = CallEndLog()
# Endings nobody needs to look into.
ORDINARY_ENDS = ("staff_hangup", "citizen_hangup", "unavailable")


def default_media(label: str, camera: str | None = None) -> Callable[[], LocalMedia]:
    """The kiosk's camera if it has one, else the synthetic camera and tone.

    ``camera`` (or ``$KIOSK_ASSIST_CAMERA``) is a V4L2 device path, or ``synthetic`` with an
    optional size and rate (``synthetic:320x240@15``) for simulated stations and tests.
    """
    choice = camera or os.environ.get(CAMERA_ENV)
    if not choice:
        choice = "/dev/video0" if Path("/dev/video0").exists() else "synthetic"
    if choice.startswith("synthetic"):
        width, height, fps = _synthetic_format(choice)

        def synthetic() -> LocalMedia:
            from remote_assist.media import synthetic_media

            return synthetic_media(label, width, height, fps)

        return synthetic

    def device() -> LocalMedia:
        from remote_assist.media import device_media

        return device_media(video=choice)

    return device


def _synthetic_format(choice: str) -> tuple[int, int, int]:
    spec = choice.partition(":")[2]
    if not spec:
        return 640, 480, 30
    size, _, rate = spec.partition("@")
    try:
        width, height = (int(part) for part in size.split("x"))
        fps = int(rate) if rate else 30
    except ValueError as exc:
        raise ValueError(f"{CAMERA_ENV}: expected synthetic:WIDTHxHEIGHT[@FPS], not {choice!r}") from exc
    return width, height, fps


def print_lines_for(message: dict[str, Any]) -> list[str]:
    """What a remote ``print`` message puts on paper: its lines, or a ticket's fields one per line."""
    if message.get("lines") is not None:
        return [str(line) for line in message["lines"]]
    ticket = message.get("ticket") or {}
    return [f"{key}: {value}" for key, value in ticket.items()]


@dataclass
class ChatLine:
    mine: bool
    text: str


@dataclass
class AssistView:
    """Everything the screen shows, replaced as the call moves on."""

    state: str = "consent"
    position: int | None = None
    eta_s: int | None = None
    agent_name: str = ""
    call_id: str | None = None
    overlay: dict[str, Any] | None = None
    photo_request: dict[str, Any] | None = None
    chat: list[ChatLine] = field(default_factory=list)
    end_reason: str | None = None
    next_open: str | None = None
    printing: bool = False
    last_print: str | None = None
    muted: bool = False


class AssistCall:
    """One citizen's call. ``on_change`` runs (on the loop) after every change of ``view``."""

    def __init__(
        self,
        hall_url: str | Sequence[str],
        token: str,
        *,
        media: Callable[[], LocalMedia],
        printer: JobPrinter | None,
        layout: Callable[[Sequence[str]], bytes],
        devices: Callable[[], dict[str, Any]] | None = None,
        on_change: Callable[[AssistView], None] | None = None,
        peer_factory: Callable[..., KioskPeer] | None = None,
        ca_file: str = "",
    ) -> None:
        if peer_factory is None:
            from remote_assist.kiosk_peer import KioskPeer

            peer_factory = KioskPeer
        self.view = AssistView()
        self._on_change = on_change or (lambda view: None)
        self._printer = printer
        self._layout = layout
        self._photo_answer: asyncio.Future[bool] | None = None
        self.ended: CallEnd | None = None
        self.peer = peer_factory(
            hall_url,
            token,
            media=media,
            on_event=self._on_event,
            printer=self._print,
            consent=self._ask_photo,
            devices=devices,
            ca_file=ca_file,
        )

    # --- what the citizen does ----------------------------------------------------------
    async def run(self, skill: str, lang: str) -> AssistView:
        """After consent to camera and microphone: call, talk, and end. Never raises for call trouble."""
        from remote_assist.kiosk_peer import AssistCallError

        self._set(state="connecting")
        try:
            reason = await self.peer.call(skill, lang)
        except AssistCallError as exc:
            self._set(state="failed", end_reason=exc.code)
            self._record_end(exc.code)
            return self.view
        except Exception as exc:
            # Whatever broke, the call is over and maintenance hears why; the app's guard logs the rest.
            self._record_end(type(exc).__name__)
            raise
        finally:
            self._refuse_pending_photo()
        if self.view.state != "unavailable":
            self._set(
                state="ended", end_reason=self.view.end_reason or reason, overlay=None, photo_request=None
            )
        self._record_end(reason if reason != "ended" else (self.view.end_reason or reason))
        return self.view

    def _record_end(self, reason: str) -> CallEnd:
        stats = self.peer.stats
        talked = None
        if stats.connected_at is not None:
            talked = (stats.ended_at or time.monotonic()) - stats.connected_at
        sending = getattr(self.peer, "sending", None)
        record = sending.record() if sending is not None else {}
        end = CallEnd(
            ended_at=datetime.now().astimezone(),
            code=end_code(reason),
            reason=reason,
            duration_s=talked,
            sent_step=record.get("sent_step"),
            lowest_step=record.get("lowest_step"),
        )
        RECENT_CALL_ENDS.add(end)
        self.ended = end
        line = f"video call {self.view.call_id or '-'} {end.log_line()}"
        if end.code in ORDINARY_ENDS:
            log.info(line)
        else:
            log.warning(line)
        return end

    async def hang_up(self) -> None:
        await self.peer.hangup()

    def answer_photo(self, granted: bool) -> None:
        """The citizen pressed allow or deny on the photo request."""
        if self._photo_answer is not None and not self._photo_answer.done():
            self._photo_answer.set_result(granted)
        self._set(photo_request=None)

    def close_overlay(self) -> None:
        self._set(overlay=None)

    def set_muted(self, muted: bool) -> None:
        if self.peer.media is not None:
            self.peer.media.set_muted(muted)
        self._set(muted=muted)

    async def say(self, text: str) -> None:
        await self.peer.send_to_staff({"type": "chat", "text": text[:1000]})
        self._set(chat=[*self.view.chat, ChatLine(True, text[:1000])])

    @property
    def subject(self) -> dict[str, str] | None:
        """What the review after the call is about."""
        return {"type": "assist_call", "id": self.view.call_id} if self.view.call_id else None

    # --- what the call does -------------------------------------------------------------
    def _on_event(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "queued":
            self._set(state="queued", position=data["position"], eta_s=data["eta_s"], call_id=data["call_id"])
        elif kind == "accepted":
            self._set(state="in_call", agent_name=str(data["agent"].get("name", "")), call_id=data["call_id"])
        elif kind in OVERLAYS:
            self._set(overlay=dict(data))
        elif kind == "close_overlay":
            self._set(overlay=None)
        elif kind == "chat":
            self._set(chat=[*self.view.chat, ChatLine(False, data["text"])])
        elif kind == "unavailable":
            self._set(state="unavailable", end_reason=data["reason"], next_open=data.get("next_open"))
        elif kind == "ended":
            self._set(end_reason=data["reason"])

    async def _ask_photo(self, request: dict[str, Any]) -> bool:
        self._refuse_pending_photo()
        self._photo_answer = asyncio.get_running_loop().create_future()
        self._set(photo_request=dict(request))
        try:
            return await self._photo_answer
        finally:
            self._photo_answer = None

    def _refuse_pending_photo(self) -> None:
        if self._photo_answer is not None and not self._photo_answer.done():
            self._photo_answer.set_result(False)

    async def _print(self, message: dict[str, Any]) -> str:
        self._set(printing=True)
        outcome = await print_jobs(self._printer, [self._layout(print_lines_for(message))])
        result = "ok" if outcome.printed else (outcome.reason or "print_failed")
        self._set(printing=False, last_print=result)
        return result

    def _set(self, **changes: Any) -> None:
        for key, value in changes.items():
            setattr(self.view, key, value)
        try:
            self._on_change(self.view)
        except Exception:  # the screen's redraw must not break the call
            log.exception("video call view update failed")
