"""Whether the Wayland compositor the kiosk is shown by still answers: the watchdog's second question.

Under cage the kiosk draws through Xwayland (or Wayland itself), and a compositor that hangs leaves the
kiosk's event loop running: the screen is frozen for the citizen while the loop goes on feeding the
service manager's watchdog. So each time it would feed it, the kiosk first asks whether the compositor
answered the round trip asked at the previous feed. A ``wl_display.sync`` is the protocol's own round
trip: the compositor answers it with the callback's ``done`` event once it has handled every request
before it. It is spoken here directly over the compositor's socket (``$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY``),
as ``ServiceNotifier`` speaks sd_notify: one connection of its own, twelve bytes each way, no library.

The probe never blocks the loop: it sends, and at the next feed reads what came (non-blocking). Nothing
at all without ``$WAYLAND_DISPLAY`` (a desk, Xvfb, xinit: an X server that hangs stalls the kiosk's loop
itself, which the watchdog already sees).
"""

from __future__ import annotations

import logging
import os
import socket
import struct
import time
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger(__name__)

# The Wayland wire format: each message is the object's id, then the message's size in bytes (header
# included) in the high 16 bits and its opcode in the low 16, in the host's byte order; then arguments
# in 32-bit words.
_HEADER = struct.Struct("=II")
_WORD = struct.Struct("=I")
_DISPLAY = 1  # wl_display, always object 1
_SYNC = 0  # wl_display.sync(new_id wl_callback): request opcode 0
_ERROR, _DELETE_ID = 0, 1  # wl_display's events
_DONE = 0  # wl_callback.done(uint32 serial)
# The one callback object the probe uses, made again once the compositor has deleted it: a new client
# id must be the next free one, so the same id is used every time.
_CALLBACK = 2
# A message larger than this is not one the compositor sends to wl_display or a callback.
_MAX_MESSAGE = 4096


class CompositorProbe:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        display = env.get("WAYLAND_DISPLAY", "")
        runtime = env.get("XDG_RUNTIME_DIR", "")
        if display.startswith("/"):
            self.path: Path | None = Path(display)
        elif display and runtime:
            self.path = Path(runtime) / display
        else:
            self.path = None
        self._socket: socket.socket | None = None
        self._received = b""
        self._asked_at: float | None = None  # when the unanswered round trip was asked
        self._done = self._deleted = False
        self.closed_reason = ""

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def answering(self) -> bool:
        """True when the compositor answered the round trip asked last time (or this is the first time),
        and asks the next one; False when it has not answered yet, or its socket is gone or broken.
        Never blocks and never raises."""
        if self.path is None:
            return True
        if self.closed_reason:
            return False
        try:
            if self._socket is None:
                self._connect()
            self._read()
            if self._unanswered:
                return False
            self._ask()
        except _Broken as exc:
            self._close(str(exc))
            return False
        except OSError as exc:
            self._close(f"{type(exc).__name__}: {exc.strerror or exc}")
            return False
        return True

    def silent_for(self) -> float:
        """Seconds since the unanswered round trip was asked (0 when none is unanswered)."""
        if self._asked_at is None or not self._unanswered:
            return 0.0
        return time.monotonic() - self._asked_at

    @property
    def _unanswered(self) -> bool:
        """A round trip was asked and the compositor has not both answered it and deleted its callback."""
        return self._asked_at is not None and not (self._done and self._deleted)

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def _connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        try:
            sock.connect(str(self.path))  # a local socket: done or refused at once
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        self._socket = sock

    def _ask(self) -> None:
        assert self._socket is not None
        request = _HEADER.pack(_DISPLAY, (_HEADER.size + _WORD.size) << 16 | _SYNC) + _WORD.pack(_CALLBACK)
        # Twelve bytes into an empty socket buffer: a compositor that stopped reading long ago fills it
        # only after thousands of feeds, and then this is refused rather than waited for.
        if self._socket.send(request, socket.MSG_DONTWAIT) != len(request):
            raise _Broken("the compositor's socket took part of a request")
        self._asked_at = time.monotonic()
        self._done = self._deleted = False

    def _read(self) -> None:
        assert self._socket is not None
        while True:
            try:
                chunk = self._socket.recv(4096)
            except BlockingIOError:
                break
            if not chunk:
                raise _Broken("the compositor closed its socket")
            self._received += chunk
        self._parse()

    def _parse(self) -> None:
        data = self._received
        while len(data) >= _HEADER.size:
            sender, size_opcode = _HEADER.unpack_from(data)
            size, opcode = size_opcode >> 16, size_opcode & 0xFFFF
            if size < _HEADER.size or size % 4 or size > _MAX_MESSAGE:
                raise _Broken(f"a message of {size} bytes is not the Wayland protocol")
            if len(data) < size:
                break
            args = data[_HEADER.size:size]
            data = data[size:]
            if sender == _CALLBACK and opcode == _DONE:
                self._done = True
            elif sender == _DISPLAY and opcode == _DELETE_ID and len(args) >= 4:
                if _WORD.unpack_from(args)[0] == _CALLBACK:
                    self._deleted = True
            elif sender == _DISPLAY and opcode == _ERROR:
                raise _Broken("the compositor reported a protocol error")
            else:
                raise _Broken(f"an event the probe never asked for (object {sender}, opcode {opcode})")
        self._received = data

    def _close(self, reason: str) -> None:
        self.closed_reason = reason
        self.close()
        log.warning("the compositor is not answering: %s", reason)


class _Broken(Exception):
    """The compositor's socket closed, or said what the protocol does not allow here."""
