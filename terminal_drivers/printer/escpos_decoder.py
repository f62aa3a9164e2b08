"""Incremental ESC/POS decoder for the kiosk's command subset: bytes in, commands out (pure).

The reverse of ``escpos``: a command split across reads is decoded once it is whole; unknown or
malformed commands become ``Issue`` items with a stable code (never silently dropped), and the
decoder resynchronises on the next byte that can start a command. The simulated printer is
built on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Alignment = Literal["left", "center", "right"]

MAX_QR_STORE = 7089 + 3  # the largest symbol (numeric, level L) plus the m byte and pL/pH slack
# fmt: off
_ALIGNMENTS: dict[int, Alignment] = {
    0: "left", 1: "center", 2: "right", 0x30: "left", 0x31: "center", 0x32: "right",
}

# Commands outside the kiosk's subset whose length is fixed: skipped whole (and reported) so the
# bytes after them are not misread as text.
_ESC_LENGTHS = {
    0x20: 3, 0x21: 3, 0x24: 4, 0x2D: 3, 0x32: 2, 0x33: 3, 0x3D: 3, 0x47: 3, 0x4A: 3, 0x4D: 3,
    0x52: 3, 0x55: 3, 0x56: 3, 0x5C: 4, 0x63: 4, 0x70: 5, 0x74: 3, 0x7B: 3,
}
_FS_LENGTHS = {0x21: 3, 0x2D: 3, 0x43: 3, 0x53: 4, 0x57: 3}
_GS_LENGTHS = {
    0x42: 3, 0x48: 3, 0x49: 3, 0x4C: 4, 0x50: 4, 0x57: 4, 0x61: 3, 0x66: 3, 0x68: 3, 0x72: 3, 0x77: 3,
}
# fmt: on


@dataclass(frozen=True)
class Issue:
    """A command that could not be taken: a stable code, its stream offset, and what it was."""

    code: str
    offset: int
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "offset": self.offset, "message": self.message}


@dataclass(frozen=True)
class Text:
    char: str


@dataclass(frozen=True)
class LineFeed:
    pass


@dataclass(frozen=True)
class Init:
    pass


@dataclass(frozen=True)
class ChineseMode:
    on: bool


@dataclass(frozen=True)
class CharSize:
    width: int
    height: int


@dataclass(frozen=True)
class Justify:
    align: Alignment


@dataclass(frozen=True)
class Emphasis:
    on: bool


@dataclass(frozen=True)
class FeedLines:
    lines: int


@dataclass(frozen=True)
class QrModuleSize:
    dots: int


@dataclass(frozen=True)
class QrErrorLevel:
    level: str


@dataclass(frozen=True)
class QrStore:
    data: bytes


@dataclass(frozen=True)
class QrPrint:
    pass


@dataclass(frozen=True)
class Cut:
    partial: bool
    feed_dots: int


@dataclass(frozen=True)
class StatusRequest:
    """``DLE EOT n``; ``realtime`` when it was found behind a command still waiting for data."""

    n: int
    realtime: bool = False


Command = (
    Text
    | LineFeed
    | Init
    | ChineseMode
    | CharSize
    | Justify
    | Emphasis
    | FeedLines
    | QrModuleSize
    | QrErrorLevel
    | QrStore
    | QrPrint
    | Cut
    | StatusRequest
    | Issue
)


class _NeedMore(Exception):
    """The command at the head of the buffer is not complete yet."""


class EscPosDecoder:
    """``decoder.feed(chunk)`` returns the commands completed by that chunk, in stream order."""

    def __init__(self, encoding: str = "gb18030") -> None:
        if encoding not in ("gb18030", "gbk"):
            raise ValueError(f"unsupported printer encoding {encoding!r}")
        self.encoding = encoding
        self.chinese = False
        self._buffer = bytearray()
        self._offset = 0
        self._answered_upto = 0  # stream offset up to which DLE EOT was taken in real time
        self._out: list[Command] = []

    @property
    def offset(self) -> int:
        """Bytes of the stream fully decoded so far."""
        return self._offset

    @property
    def pending(self) -> int:
        """Bytes held while the command at the head waits for the rest of itself."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Command]:
        self._buffer += data
        self._out = []
        while self._buffer:
            try:
                used = self._step()
            except _NeedMore:
                self._realtime_requests()
                break
            del self._buffer[:used]
            self._offset += used
        return self._out

    # -- internals ---------------------------------------------------------------------------

    def _emit(self, command: Command) -> None:
        self._out.append(command)

    def _issue(self, code: str, message: str) -> None:
        self._out.append(Issue(code, self._offset, message))

    def _need(self, n: int) -> None:
        if len(self._buffer) < n:
            raise _NeedMore

    def _realtime_requests(self) -> None:
        """Take ``DLE EOT n`` behind a command still waiting for its data.

        Real-time commands are executed on receipt, even inside another command's data (why a
        host must never send one there): a host that broke off a job still gets its status.
        """
        i = max(self._answered_upto - self._offset, 1)
        while True:
            i = self._buffer.find(b"\x10\x04", i)
            if i < 0 or i + 2 >= len(self._buffer):
                return
            n = self._buffer[i + 2]
            if n in (1, 2, 3, 4):
                self._emit(StatusRequest(n, realtime=True))
                self._answered_upto = self._offset + i + 3
                i += 3
            else:
                i += 2

    def _step(self) -> int:
        b = self._buffer[0]
        if b == 0x0A:
            self._emit(LineFeed())
            return 1
        if b == 0x0D:
            return 1  # CR: these printers advance on LF only
        if b == 0x10:
            return self._dle()
        if b == 0x1B:
            return self._esc()
        if b == 0x1C:
            return self._fs()
        if b == 0x1D:
            return self._gs()
        if b < 0x20 or b == 0x7F:
            self._issue("unknown_control_byte", f"control byte 0x{b:02X}")
            return 1
        return self._text()

    def _dle(self) -> int:
        self._need(2)
        if self._buffer[1] != 0x04:
            self._issue("unknown_command", f"DLE 0x{self._buffer[1]:02X}")
            return 1
        self._need(3)
        n = self._buffer[2]
        if n not in (1, 2, 3, 4):
            self._issue("bad_parameter", f"DLE EOT {n}")
        elif self._offset >= self._answered_upto:
            self._emit(StatusRequest(n))
        return 3

    def _esc(self) -> int:
        self._need(2)
        c = self._buffer[1]
        if c == 0x40:
            self.chinese = False
            self._emit(Init())
            return 2
        if c in (0x61, 0x45, 0x64):
            self._need(3)
            n = self._buffer[2]
            if c == 0x61:
                if n in _ALIGNMENTS:
                    self._emit(Justify(_ALIGNMENTS[n]))
                else:
                    self._issue("bad_parameter", f"ESC a {n}")
            elif c == 0x45:
                self._emit(Emphasis(bool(n & 1)))
            else:
                self._emit(FeedLines(n))
            return 3
        return self._skip_known("ESC", c, _ESC_LENGTHS)

    def _fs(self) -> int:
        self._need(2)
        c = self._buffer[1]
        if c in (0x26, 0x2E):
            self.chinese = c == 0x26
            self._emit(ChineseMode(self.chinese))
            return 2
        return self._skip_known("FS", c, _FS_LENGTHS)

    def _skip_known(self, prefix: str, c: int, lengths: dict[int, int]) -> int:
        if c in lengths:
            self._need(lengths[c])
            self._issue("unsupported_command", f"{prefix} 0x{c:02X} (skipped {lengths[c]} bytes)")
            return lengths[c]
        if c in (0x0A, 0x10, 0x1B, 0x1C, 0x1D):
            # A command cut short by the next one: drop only the prefix and read on.
            self._issue("malformed_command", f"{prefix} followed by 0x{c:02X}")
            return 1
        self._issue("unknown_command", f"{prefix} 0x{c:02X}")
        return 2

    def _gs(self) -> int:
        self._need(2)
        c = self._buffer[1]
        if c == 0x21:
            self._need(3)
            n = self._buffer[2]
            if n & 0x88:
                self._issue("bad_parameter", f"GS ! 0x{n:02X}")
            else:
                self._emit(CharSize((n >> 4) + 1, (n & 0x07) + 1))
            return 3
        if c == 0x56:
            self._need(3)
            m = self._buffer[2]
            if m in (0, 1, 0x30, 0x31):
                self._emit(Cut(partial=m in (1, 0x31), feed_dots=0))
                return 3
            if m in (0x41, 0x42):
                self._need(4)
                self._emit(Cut(partial=m == 0x42, feed_dots=self._buffer[3]))
                return 4
            self._issue("bad_parameter", f"GS V {m}")
            return 3
        if c == 0x28:
            return self._gs_paren()
        if c == 0x6B:
            return self._skip_barcode()
        if c == 0x76:
            return self._skip_raster()
        return self._skip_known("GS", c, _GS_LENGTHS)

    def _gs_paren(self) -> int:
        self._need(5)
        group, length = self._buffer[2], self._buffer[3] | (self._buffer[4] << 8)
        if length < 2 or length > MAX_QR_STORE:
            self._issue("malformed_command", f"GS ( 0x{group:02X} with length {length}")
            return 5
        self._need(5 + length)
        body = bytes(self._buffer[5 : 5 + length])
        if group != 0x6B or body[0] != 0x31:
            self._issue("unsupported_command", f"GS ( 0x{group:02X} cn 0x{body[0]:02X}")
        else:
            self._qr_function(body[1], body[2:])
        return 5 + length

    def _qr_function(self, fn: int, params: bytes) -> None:
        if fn == 0x41:
            if len(params) != 2 or params[0] not in (0x31, 0x32):
                self._issue("bad_parameter", "QR model")
        elif fn == 0x43:
            if len(params) == 1 and 1 <= params[0] <= 16:
                self._emit(QrModuleSize(params[0]))
            else:
                self._issue("bad_parameter", "QR module size")
        elif fn == 0x45:
            if len(params) == 1 and 0x30 <= params[0] <= 0x33:
                self._emit(QrErrorLevel("LMQH"[params[0] - 0x30]))
            else:
                self._issue("bad_parameter", "QR error level")
        elif fn == 0x50:
            if len(params) < 2 or params[0] != 0x30:
                self._issue("bad_parameter", "QR store without data")
            else:
                self._emit(QrStore(params[1:]))
        elif fn == 0x51:
            if not params or params[0] != 0x30:
                self._issue("bad_parameter", "QR print")
            else:
                self._emit(QrPrint())
        else:
            self._issue("unsupported_command", f"QR function 0x{fn:02X}")

    def _skip_barcode(self) -> int:
        self._need(3)
        m = self._buffer[2]
        if m <= 6:
            end = self._buffer.find(0, 3)
            if end < 0:
                if len(self._buffer) > 260:
                    self._issue("malformed_command", "GS k barcode without NUL")
                    return 3
                raise _NeedMore
            self._issue("unsupported_command", "GS k barcode")
            return end + 1
        self._need(4)
        self._need(4 + self._buffer[3])
        self._issue("unsupported_command", "GS k barcode")
        return 4 + self._buffer[3]

    def _skip_raster(self) -> int:
        self._need(8)
        x = self._buffer[4] | (self._buffer[5] << 8)
        y = self._buffer[6] | (self._buffer[7] << 8)
        if self._buffer[2] != 0x30 or x * y > 65535:
            self._issue("malformed_command", "GS v raster image")
            return 3
        self._need(8 + x * y)
        self._issue("unsupported_command", "GS v 0 raster image")
        return 8 + x * y

    def _text(self) -> int:
        buf = self._buffer
        b = buf[0]
        if not self.chinese or b < 0x80:
            # Outside Chinese mode a high byte is a PC437 glyph, as on a printer left in the wrong
            # mode: Hanzi then come out as Latin garbage, which a test or a technician sees.
            self._emit(Text(bytes([b]).decode("cp437")))
            return 1
        if b in (0x80, 0xFF):
            self._issue("invalid_text", f"byte 0x{b:02X} starts no character")
            return 1
        self._need(2)
        size = 4 if 0x30 <= buf[1] <= 0x39 else 2
        if size == 4:
            self._need(4)
        try:
            char = bytes(buf[:size]).decode(self.encoding)
        except UnicodeDecodeError:
            self._issue("invalid_text", f"bytes {bytes(buf[:size]).hex(' ')} are not {self.encoding}")
            return 1
        self._emit(Text(char))
        return size
