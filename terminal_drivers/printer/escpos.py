"""ESC/POS bytes for Chinese thermal ticket printers, built by pure functions (no I/O).

Only the subset the kiosk prints with (DESIGN §5.2); each function returns the exact bytes of one
command, and ``JobBuilder`` strings them together into one print job.
"""

from __future__ import annotations

import logging
from typing import Literal

log = logging.getLogger(__name__)

ESC = 0x1B
GS = 0x1D
FS = 0x1C
DLE = 0x10
EOT = 0x04
LF = b"\n"

Align = Literal["left", "center", "right"]
ErrorLevel = Literal["L", "M", "Q", "H"]

_ALIGN_CODES: dict[str, int] = {"left": 0, "center": 1, "right": 2}
_ERROR_LEVEL_CODES: dict[str, int] = {"L": 0x30, "M": 0x31, "Q": 0x32, "H": 0x33}
# Byte-mode capacity of a version 40 QR symbol per error level (ISO/IEC 18004 table 7): the
# largest payload a printer can store and still print.
QR_MAX_BYTES: dict[str, int] = {"L": 2953, "M": 2331, "Q": 1663, "H": 1273}
SUPPORTED_ENCODINGS = ("gb18030", "gbk")

# Characters a Chinese printer font lacks, replaced by a look-alike it has. GBK has no yen sign,
# en dash, bullet or euro; GB18030 encodes some of them in four bytes the font does not draw.
SUBSTITUTIONS: dict[str, str] = {
    "\u00a5": "\uffe5",  # ¥ -> ￥
    "\u2013": "-",  # en dash
    "\u2022": "\u00b7",  # bullet -> middle dot
    "\u20ac": "EUR",
    "\u00a0": " ",  # no-break space
    "\u2009": " ",  # thin space
    "\u00ae": "(R)",
    "\u2122": "TM",
    "\ufeff": "",  # byte order mark
}
REPLACEMENT = "?"


class EscPosError(ValueError):
    """A command argument outside what the printer accepts (a programming error, not a device one)."""


def init() -> bytes:
    """``ESC @``: clear the print buffer and reset every mode."""
    return bytes([ESC, 0x40])


def chinese_on() -> bytes:
    """``FS &``: bytes 0x81-0xFE start a double-byte (or GB18030 four-byte) character."""
    return bytes([FS, 0x26])


def chinese_off() -> bytes:
    """``FS .``: back to the single-byte code page."""
    return bytes([FS, 0x2E])


def size(width: int = 1, height: int = 1) -> bytes:
    """``GS ! n``: character size as multipliers 1-8 (high nibble width-1, low nibble height-1)."""
    if not (1 <= width <= 8 and 1 <= height <= 8):
        raise EscPosError(f"size multipliers must be 1-8, got {width}x{height}")
    return bytes([GS, 0x21, ((width - 1) << 4) | (height - 1)])


def align(where: Align) -> bytes:
    """``ESC a n``: justification of the lines that start after it."""
    try:
        return bytes([ESC, 0x61, _ALIGN_CODES[where]])
    except KeyError:
        raise EscPosError(f"unknown alignment {where!r}") from None


def bold(on: bool = True) -> bytes:
    """``ESC E n``: emphasised (bold) printing on or off."""
    return bytes([ESC, 0x45, 1 if on else 0])


def line_feed() -> bytes:
    """``LF``: print the line buffer and advance one line."""
    return LF


def feed_lines(n: int) -> bytes:
    """``ESC d n``: print the line buffer and feed ``n`` lines (0-255)."""
    if not 0 <= n <= 255:
        raise EscPosError(f"feed must be 0-255 lines, got {n}")
    return bytes([ESC, 0x64, n])


def _qr_function(fn: int, params: bytes) -> bytes:
    length = len(params) + 2  # cn and fn count in pL pH
    return bytes([GS, 0x28, 0x6B, length & 0xFF, length >> 8, 0x31, fn]) + params


def qr_model() -> bytes:
    """``GS ( k`` function 165: QR model 2."""
    return _qr_function(0x41, bytes([0x32, 0x00]))


def qr_module_size(dots: int) -> bytes:
    """``GS ( k`` function 167: module size in dots (1-16)."""
    if not 1 <= dots <= 16:
        raise EscPosError(f"QR module size must be 1-16 dots, got {dots}")
    return _qr_function(0x43, bytes([dots]))


def qr_error_level(level: ErrorLevel = "M") -> bytes:
    """``GS ( k`` function 169: error correction level (L, M, Q, H)."""
    try:
        return _qr_function(0x45, bytes([_ERROR_LEVEL_CODES[level]]))
    except KeyError:
        raise EscPosError(f"unknown QR error level {level!r}") from None


def qr_store(data: bytes, level: ErrorLevel = "M") -> bytes:
    """``GS ( k`` function 180: store the symbol data (pL + pH·256 = len + 3)."""
    if not data:
        raise EscPosError("QR data is empty")
    limit = QR_MAX_BYTES[level]
    if len(data) > limit:
        raise EscPosError(f"QR data of {len(data)} bytes exceeds {limit} at error level {level}")
    return _qr_function(0x50, b"\x30" + data)


def qr_print() -> bytes:
    """``GS ( k`` function 181: print the stored symbol."""
    return _qr_function(0x51, b"\x30")


def qr_code(data: bytes | str, module_size: int = 6, level: ErrorLevel = "M") -> bytes:
    """The whole native QR sequence: model 2, module size, error level, store, print."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    return (
        qr_model()
        + qr_module_size(module_size)
        + qr_error_level(level)
        + qr_store(payload, level)
        + qr_print()
    )


def cut(partial: bool = False) -> bytes:
    """``GS V 0|1``: cut here (full or partial)."""
    return bytes([GS, 0x56, 0x01 if partial else 0x00])


def feed_and_cut(n: int = 0, partial: bool = False) -> bytes:
    """``GS V 65|66 n``: feed to the cutter plus ``n`` motion units, then cut."""
    if not 0 <= n <= 255:
        raise EscPosError(f"feed before cut must be 0-255, got {n}")
    return bytes([GS, 0x56, 0x42 if partial else 0x41, n])


def status_query(n: int) -> bytes:
    """``DLE EOT n``: real-time status (1 printer, 2 offline cause, 3 error cause, 4 paper roll)."""
    if n not in (1, 2, 3, 4):
        raise EscPosError(f"DLE EOT takes 1-4, got {n}")
    return bytes([DLE, EOT, n])


def _font_has(char: str, encoded: bytes) -> bool:
    # A four-byte GB18030 sequence is printable only for CJK Extension A, which the GB18030-2000
    # fonts in these printers carry; everything else there (¥, emoji, Latin extras) is not drawn.
    if len(encoded) == 1:
        return encoded[0] < 0x80
    if len(encoded) == 2:
        return True
    return 0x3400 <= ord(char) <= 0x4DBF


def encode_text(text: str, encoding: str = "gb18030") -> tuple[bytes, list[str]]:
    """Encode printable text for a printer in Chinese mode; return the bytes and what was substituted.

    Control characters would be read as commands, so they are substituted like unknown glyphs;
    ``\\n`` is the only control character kept (it prints the line).
    """
    if encoding not in SUPPORTED_ENCODINGS:
        raise EscPosError(f"unsupported printer encoding {encoding!r}")
    out = bytearray()
    substituted: list[str] = []
    for char in text:
        if char == "\n":
            out += LF
            continue
        if char in SUBSTITUTIONS:
            substituted.append(char)
            out += SUBSTITUTIONS[char].encode(encoding)
            continue
        if ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0:
            substituted.append(char)
            out += REPLACEMENT.encode("ascii")
            continue
        try:
            encoded = char.encode(encoding)
        except UnicodeEncodeError:
            encoded = b""
        if not encoded or not _font_has(char, encoded):
            substituted.append(char)
            out += REPLACEMENT.encode("ascii")
            continue
        out += encoded
    return bytes(out), substituted


class JobBuilder:
    """Collects the commands of one print job; substitutions are logged once per job in ``build``."""

    def __init__(self, encoding: str = "gb18030") -> None:
        if encoding not in SUPPORTED_ENCODINGS:
            raise EscPosError(f"unsupported printer encoding {encoding!r}")
        self.encoding = encoding
        self._parts: list[bytes] = []
        self.substituted: set[str] = set()

    def raw(self, data: bytes) -> JobBuilder:
        self._parts.append(data)
        return self

    def init(self) -> JobBuilder:
        """Reset the printer and switch Chinese mode on: the start of every job."""
        return self.raw(init() + chinese_on())

    def text(self, text: str) -> JobBuilder:
        data, substituted = encode_text(text, self.encoding)
        self.substituted.update(substituted)
        return self.raw(data)

    def line(self, text: str = "") -> JobBuilder:
        return self.text(text).raw(LF)

    def size(self, width: int = 1, height: int = 1) -> JobBuilder:
        return self.raw(size(width, height))

    def align(self, where: Align) -> JobBuilder:
        return self.raw(align(where))

    def bold(self, on: bool = True) -> JobBuilder:
        return self.raw(bold(on))

    def feed(self, lines: int) -> JobBuilder:
        return self.raw(feed_lines(lines))

    def qr(self, data: bytes | str, module_size: int = 6, level: ErrorLevel = "M") -> JobBuilder:
        return self.raw(qr_code(data, module_size, level))

    def cut(self, feed: int = 0, partial: bool = False) -> JobBuilder:
        return self.raw(feed_and_cut(feed, partial))

    def build(self) -> bytes:
        if self.substituted:
            # Names are personal data: say which code points, never the text around them.
            log.warning(
                "printer font lacks %d character(s), substituted: %s",
                len(self.substituted),
                " ".join(f"U+{ord(c):04X}" for c in sorted(self.substituted)),
            )
        return b"".join(self._parts)
