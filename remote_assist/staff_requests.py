"""What the kiosk does for the agent over the data channel: a photo after the citizen's consent, a print,
and the devices' state (DESIGN §6.2).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from remote_assist import datachannel
from remote_assist.call_setup import AssistCallError
from remote_assist.media import LocalMedia
from remote_assist.schema import MessageError

log = logging.getLogger(__name__)

EventHandler = Callable[[str, dict[str, Any]], None]
PrintHandler = Callable[[dict[str, Any]], Awaitable[str]]  # returns a result code: "ok", "paper_out", …
ConsentHandler = Callable[[dict[str, Any]], Awaitable[bool]]


class StaffRequests:
    """Answers the agent's data-channel requests for one kiosk peer; the peer hands in how to send, tell
    and run a task, and the kiosk's printer, consent prompt and device states."""

    def __init__(
        self,
        *,
        send: Callable[[dict[str, Any]], Awaitable[None]],
        emit: EventHandler,
        spawn: Callable[[Awaitable[Any]], asyncio.Task[Any]],
        media: Callable[[], LocalMedia | None],
        printer: PrintHandler | None,
        consent: ConsentHandler | None,
        devices: Callable[[], dict[str, Any]] | None,
    ) -> None:
        self._send = send
        self._emit = emit
        self._spawn = spawn
        self._media = media
        self._printer = printer
        self._consent = consent
        self._devices = devices

    def on_message(self, raw: str | bytes) -> None:
        try:
            message = datachannel.parse_staff_message(raw)
        except MessageError as exc:
            log.warning("bad data-channel message: %s", exc.code)
            return
        self._emit(message["type"], message)
        if message["type"] == "request_photo":
            self._spawn(self._photo(message))
        elif message["type"] == "print":
            self._spawn(self._print(message))

    async def _photo(self, request: dict[str, Any]) -> None:
        granted = bool(self._consent and await self._consent(request))
        await self._send({"type": "consent", "request_id": request["request_id"], "granted": granted})
        media = self._media()
        if not granted or media is None:
            return
        jpeg = media.snapshot_jpeg()
        if jpeg is None:
            return
        for chunk in datachannel.photo_chunks(request["request_id"], jpeg):
            await self._send(chunk)
        self._emit("photo_sent", {"request_id": request["request_id"], "bytes": len(jpeg)})

    async def _print(self, message: dict[str, Any]) -> None:
        result = "no_printer"
        if self._printer is not None:
            try:
                result = await self._printer(message)
            except Exception as exc:  # the printer callback is the kiosk's; report, never crash the call
                result = getattr(exc, "code", "print_failed")
        await self.report_devices(result)

    async def report_devices(self, print_result: str | None = None) -> None:
        message: dict[str, Any] = {
            "type": "device_state",
            "devices": self._devices() if self._devices else {},
        }
        if print_result is not None:
            message["print_result"] = print_result
        with contextlib.suppress(AssistCallError):
            await self._send(message)
