"""Frames of the ID card reader's SAM protocol (GA/T 467): pure bytes in, frames out, no I/O.

Host → reader ``AA AA AA 96 69 | LEN | CMD PARA | data | CHK``; reader → host
``AA AA AA 96 69 | LEN | SW1 SW2 SW3 | data | CHK``. LEN is two bytes big-endian counting every
byte after it, CHK included; CHK is the XOR of LEN and everything after it up to CHK.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from terminal_drivers.errors import CardReadError, DeviceError, ProtocolError, SamError

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
# The longest legitimate frame is the fingerprint read: 3 SW + 6 length bytes + 256 + 1024 + 1024
# + CHK = 2314. Anything far beyond that is line noise that must not make us wait for megabytes.
MAX_LENGTH = 4096
MIN_LENGTH = 3  # CMD PARA CHK; a reply needs at least 4 (SW1 SW2 SW3 CHK)


class Command(IntEnum):
    """CMD and PARA of each command, packed as ``CMD << 8 | PARA``."""

    RESET = 0x10FF
    SAM_STATUS = 0x11FF
    SAM_ID = 0x12FF
    FIND_CARD = 0x2001
    SELECT_CARD = 0x2002
    READ_TEXT_PHOTO = 0x3001
    READ_APPENDED_ADDRESS = 0x3003
    READ_WITH_FINGERPRINT = 0x3010

    @property
    def cmd(self) -> int:
        return self.value >> 8

    @property
    def para(self) -> int:
        return self.value & 0xFF


class Sw3(IntEnum):
    """The status byte SW3 of a reply (SW1 SW2 are 00 00 on every reader we know)."""

    OK = 0x90
    FIND_OK = 0x9F
    NO_CARD = 0x80
    SELECT_FAILED = 0x81
    READ_FAILED = 0x41
    NO_CONTENT = 0x91
    CHECKSUM_ERROR = 0x10
    LENGTH_ERROR = 0x11
    COMMAND_ERROR = 0x21
    UNAUTHORISED = 0x23
    UNKNOWN_ERROR = 0x24
    CARD_AUTH_FAILED = 0x31
    READER_AUTH_FAILED = 0x32
    INFO_VERIFY_FAILED = 0x33
    WRONG_CARD_TYPE = 0x40
    RANDOM_FAILED = 0x47
    SAM_SELFTEST_FAILED = 0x60
    SAM_UNAUTHORISED = 0x66


# SW3 → (error class, stable code). 90, 9F and 80 are not errors; 91 is "nothing there", which
# only the appended-address read treats as a normal answer.
_SW3_ERRORS: dict[int, tuple[type[DeviceError], str]] = {
    Sw3.SELECT_FAILED: (CardReadError, "card_select_failed"),
    Sw3.READ_FAILED: (CardReadError, "card_read_failed"),
    Sw3.NO_CONTENT: (CardReadError, "card_no_content"),
    Sw3.WRONG_CARD_TYPE: (CardReadError, "card_type_unsupported"),
    Sw3.CHECKSUM_ERROR: (ProtocolError, "reader_checksum_error"),
    Sw3.LENGTH_ERROR: (ProtocolError, "reader_length_error"),
    Sw3.COMMAND_ERROR: (ProtocolError, "reader_command_error"),
    Sw3.UNKNOWN_ERROR: (ProtocolError, "reader_unknown_error"),
    Sw3.UNAUTHORISED: (SamError, "sam_operation_unauthorised"),
    Sw3.CARD_AUTH_FAILED: (SamError, "card_authentication_failed"),
    Sw3.READER_AUTH_FAILED: (SamError, "reader_authentication_failed"),
    Sw3.INFO_VERIFY_FAILED: (SamError, "card_info_verification_failed"),
    Sw3.RANDOM_FAILED: (SamError, "sam_random_failed"),
    Sw3.SAM_SELFTEST_FAILED: (SamError, "sam_selftest_failed"),
    Sw3.SAM_UNAUTHORISED: (SamError, "sam_unauthorised"),
}


def checksum(body: bytes) -> int:
    """XOR of ``body`` (LEN and everything after it, CHK excluded)."""
    value = 0
    for byte in body:
        value ^= byte
    return value


def _frame(payload: bytes) -> bytes:
    length = len(payload) + 1
    if length > MAX_LENGTH:
        raise ValueError(f"frame payload of {len(payload)} bytes is too long")
    body = length.to_bytes(2, "big") + payload
    return PREAMBLE + body + bytes([checksum(body)])


def build_command(command: Command, data: bytes = b"") -> bytes:
    """A host → reader frame, e.g. find card ``AA AA AA 96 69 00 03 20 01 22``."""
    return _frame(bytes([command.cmd, command.para]) + data)


def build_reply(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    """A reader → host frame (the simulator's side)."""
    return _frame(bytes([sw1, sw2, sw3]) + data)


@dataclass(frozen=True)
class CommandFrame:
    cmd: int
    para: int
    data: bytes

    @property
    def command(self) -> Command | None:
        try:
            return Command(self.cmd << 8 | self.para)
        except ValueError:
            return None


@dataclass(frozen=True)
class ReplyFrame:
    sw1: int
    sw2: int
    sw3: int
    data: bytes

    def raise_for_status(self) -> None:
        """Raise the driver error SW3 stands for; return for 90, 9F and 80."""
        error = sw3_error(self.sw3)
        if error is not None:
            raise error


def sw3_error(sw3: int) -> DeviceError | None:
    """The driver error for a status byte, or None when it is not an error (90, 9F, 80)."""
    if sw3 in (Sw3.OK, Sw3.FIND_OK, Sw3.NO_CARD):
        return None
    cls, code = _SW3_ERRORS.get(sw3, (ProtocolError, "reader_status_unknown"))
    return cls(f"reader answered SW3={sw3:02X}", code=code)


@dataclass(frozen=True)
class FrameError:
    """A damaged frame the decoder skipped; ``code`` is stable snake_case."""

    code: str
    detail: str


def parse_command(body: bytes) -> CommandFrame:
    """A decoded frame body (between LEN and CHK) read as a host command."""
    if len(body) < 2:
        raise ProtocolError("command frame shorter than CMD PARA", code="frame_too_short")
    return CommandFrame(body[0], body[1], bytes(body[2:]))


def parse_reply(body: bytes) -> ReplyFrame:
    """A decoded frame body (between LEN and CHK) read as a reader reply."""
    if len(body) < 3:
        raise ProtocolError("reply frame shorter than SW1 SW2 SW3", code="frame_too_short")
    return ReplyFrame(body[0], body[1], body[2], bytes(body[3:]))


class FrameDecoder:
    """Incremental decoder: feed bytes as they come, get frame bodies and errors back.

    It hunts for the preamble, skipping garbage; a frame with an impossible length or a wrong
    checksum is reported as a ``FrameError`` and the hunt restarts one byte after that frame's
    preamble, so a good frame hidden behind a damaged one is still found.
    """

    def __init__(self, *, min_length: int = MIN_LENGTH, max_length: int = MAX_LENGTH) -> None:
        self._buffer = bytearray()
        self._min_length = min_length
        self._max_length = max_length
        self.skipped = 0  # garbage bytes dropped while hunting for a preamble

    def feed(self, data: bytes) -> list[bytes | FrameError]:
        """Add ``data``; return every complete frame body (``bytes``) or error, in order."""
        self._buffer += data
        out: list[bytes | FrameError] = []
        while True:
            start = self._buffer.find(PREAMBLE)
            if start < 0:
                # Keep a tail that could be the start of a preamble split across reads.
                keep = _preamble_prefix_len(self._buffer)
                drop = len(self._buffer) - keep
                self.skipped += drop
                del self._buffer[:drop]
                return out
            if start:
                self.skipped += start
                del self._buffer[:start]
            if len(self._buffer) < len(PREAMBLE) + 2:
                return out
            length = int.from_bytes(self._buffer[5:7], "big")
            if not self._min_length <= length <= self._max_length:
                out.append(FrameError("frame_length_invalid", f"LEN={length}"))
                del self._buffer[:1]
                continue
            end = len(PREAMBLE) + 2 + length
            if len(self._buffer) < end:
                return out
            body = bytes(self._buffer[5 : end - 1])
            chk = self._buffer[end - 1]
            if checksum(body) != chk:
                out.append(FrameError("frame_checksum_mismatch", f"CHK={chk:02X} want {checksum(body):02X}"))
                del self._buffer[:1]
                continue
            del self._buffer[:end]
            out.append(body[2:])

    @property
    def pending(self) -> int:
        """Bytes held back waiting for the rest of a frame."""
        return len(self._buffer)

    def reset(self) -> None:
        self._buffer.clear()


def _preamble_prefix_len(buffer: bytearray) -> int:
    for size in range(min(len(PREAMBLE) - 1, len(buffer)), 0, -1):
        if buffer[-size:] == PREAMBLE[:size]:
            return size
    return 0


TEXT_SIZE = 256
PHOTO_SIZE = 1024
FINGERPRINT_SIZE = 1024


@dataclass(frozen=True)
class ReadData:
    """The parts of a 30 01 / 30 10 reply after SW3: text, WLT photo and (30 10) fingerprint."""

    text: bytes
    photo: bytes
    fingerprint: bytes = b""


def split_read_data(data: bytes, *, with_fingerprint: bool = False) -> ReadData:
    """Split a read reply's data (bytes 10.. of the frame, before CHK) by its length fields.

    30 01: text length (2, big-endian) at frame offset 10, photo length at 12, text at 14-269,
    photo at 270-1293, CHK at 1294: 1295 bytes in all. 30 10 adds a fingerprint length (2)
    after the photo length and the fingerprint after the photo.
    """
    head = 6 if with_fingerprint else 4
    if len(data) < head:
        raise ProtocolError("read reply shorter than its length fields", code="read_reply_length")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    finger_len = int.from_bytes(data[4:6], "big") if with_fingerprint else 0
    if text_len != TEXT_SIZE or photo_len != PHOTO_SIZE or finger_len not in (0, FINGERPRINT_SIZE):
        raise ProtocolError(
            f"read reply lengths text={text_len} photo={photo_len} fingerprint={finger_len}",
            code="read_reply_length",
        )
    if len(data) != head + text_len + photo_len + finger_len:
        raise ProtocolError(f"read reply carries {len(data)} data bytes", code="read_reply_length")
    text = data[head : head + text_len]
    photo = data[head + text_len : head + text_len + photo_len]
    return ReadData(text, photo, data[head + text_len + photo_len :])


def format_sam_id(data: bytes) -> str:
    """The SAM id as readers print it: ``05.01-20240101-0000123456-0987654321``."""
    if len(data) < 16:
        raise ProtocolError(f"SAM id of {len(data)} bytes, expected 16", code="sam_id_invalid")

    def part(start: int, end: int) -> int:
        return int.from_bytes(data[start:end], "little")

    return f"{part(0, 2):02d}.{part(2, 4):02d}-{part(4, 8):08d}-{part(8, 12):010d}-{part(12, 16):010d}"


# Shortest/longest data a successful reply to each command carries. A reader answers commands in
# order, so the reply to a command we gave up on (timeout) arrives before the next one's: replies
# carry no command code, but their status and size tell them apart.
_SUCCESS_DATA: dict[Command, tuple[int, int]] = {
    Command.RESET: (0, 64),
    Command.SAM_STATUS: (0, 64),
    Command.SAM_ID: (16, 64),
    Command.FIND_CARD: (0, 16),
    Command.SELECT_CARD: (0, 16),
    Command.READ_TEXT_PHOTO: (1284, 1284),
    Command.READ_APPENDED_ADDRESS: (0, 128),
    Command.READ_WITH_FINGERPRINT: (1286, 2310),
}


def plausible_reply(command: Command, reply: ReplyFrame) -> bool:
    """Whether ``reply`` can be the answer to ``command`` (False: a late answer to an earlier one)."""
    finding = reply.sw3 in (Sw3.FIND_OK, Sw3.NO_CARD)
    if command == Command.FIND_CARD and reply.sw3 == Sw3.OK:
        return False
    if command != Command.FIND_CARD and finding:
        return False
    if reply.sw3 not in (Sw3.OK, Sw3.FIND_OK):
        return len(reply.data) <= 64  # an error status carries no data
    low, high = _SUCCESS_DATA[command]
    return low <= len(reply.data) <= high


def reply_error(reply: ReplyFrame) -> DeviceError:
    """The error a non-success reply stands for (a status that is no error is a protocol one)."""
    error = sw3_error(reply.sw3)
    return error or ProtocolError(f"unexpected SW3={reply.sw3:02X}", code="reader_unexpected_status")
