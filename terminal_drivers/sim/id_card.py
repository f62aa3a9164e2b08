"""Simulated ID card reader: answers the SAM protocol byte-exactly from a set of test cards.

A placed card is found (9F), selected (90) and read (90, 1295 bytes); after a good read, find
answers 80 until the card is lifted and placed again, as real readers do. While the card stays on
the reader, the appended-address read (30 03) keeps answering 90/91 and select 90; once it is
lifted they fail (41, 81): that is how a driver tells "still there" from "gone".

Controls: ``place_card {name, appended_address?}``, ``lift_card``, ``list_cards``, ``status``,
``fault {kind}`` (read_failed, auth_31, auth_32, auth_33, sam_selftest, silence, garbled; ``none``
clears them). Through ``DeviceServer`` use ``fault {kind: none}``: the runner keeps
``clear_faults`` for its wire faults.
"""

from __future__ import annotations

import logging
from typing import Any

from citizen_id.masking import mask_name
from terminal_drivers.id_card.models import IdCard
from terminal_drivers.id_card.protocol import (
    MAX_LENGTH,
    Command,
    FrameDecoder,
    FrameError,
    Sw3,
    build_reply,
    parse_command,
)
from terminal_drivers.id_card.text import build_text, encode_appended_address
from terminal_drivers.sim.engine import SimControlError
from terminal_drivers.sim.test_cards import CARDS

log = logging.getLogger(__name__)

# SAM id as 16 raw bytes; diag formats it as 05.01-20240101-0000123456-0987654321.
SAM_ID = (
    (5).to_bytes(2, "little") + (1).to_bytes(2, "little") + (20240101).to_bytes(4, "little")
    + (123456).to_bytes(4, "little") + (987654321).to_bytes(4, "little")
)
FIND_DATA = b"\x00\x00\x00\x00"
SELECT_DATA = b"\x00" * 8

# fault kind → SW3 the card commands answer with while it is in force.
_CARD_FAULTS = {
    "read_failed": Sw3.READ_FAILED,
    "auth_31": Sw3.CARD_AUTH_FAILED,
    "auth_32": Sw3.READER_AUTH_FAILED,
    "auth_33": Sw3.INFO_VERIFY_FAILED,
}
FAULT_KINDS = (*_CARD_FAULTS, "sam_selftest", "silence", "garbled", "none")


class IdCardEngine:
    """The reader's byte engine for ``DeviceServer``; ``control`` places and lifts cards."""

    kind = "id_card"

    def __init__(self, cards: dict[str, IdCard] | None = None, read_delay_s: float = 1.0) -> None:
        if read_delay_s < 0:
            raise ValueError("read_delay_s must not be negative")
        self.cards = dict(CARDS if cards is None else cards)
        self.read_delay_s = read_delay_s
        self.card: IdCard | None = None
        self.card_name: str | None = None
        # absent → present (placed) → found → selected → read (find says 80 until lifted).
        self.state = "absent"
        self.fault = "none"
        self.appended_address = ""
        self.reads = 0
        self._decoder = FrameDecoder(max_length=MAX_LENGTH)
        self._delay = 0.0

    # -- DeviceEngine -----------------------------------------------------------------------

    def receive(self, data: bytes) -> bytes:
        self._delay = 0.0
        out = bytearray()
        for item in self._decoder.feed(data):
            if isinstance(item, FrameError):
                sw3 = Sw3.CHECKSUM_ERROR if item.code == "frame_checksum_mismatch" else Sw3.LENGTH_ERROR
                out += self._reply(build_reply(sw3))
            else:
                out += self._reply(self._answer(item))
        return bytes(out)

    def poll_output(self) -> bytes:
        return b""

    def reply_delay(self) -> float:
        """How long the reply just returned takes on a real reader (about 1 s for a read)."""
        return self._delay

    def control(self, command: str, args: dict[str, Any]) -> dict[str, Any]:
        if command == "place_card":
            name = args.get("name", "")
            if name not in self.cards:
                raise SimControlError("unknown_card", f"no test card {name!r}; see list_cards")
            appended = str(args.get("appended_address", ""))
            if len(appended.encode("utf-16-le")) > 70:
                raise SimControlError("bad_argument", "an appended address holds at most 35 characters")
            self.card, self.card_name, self.state = self.cards[name], name, "present"
            self.appended_address = appended
            log.info("card %s placed (%s)", name, mask_name(self.card.name))
        elif command == "lift_card":
            self.card, self.card_name, self.state = None, None, "absent"
        elif command == "list_cards":
            return {"cards": sorted(self.cards)}
        elif command == "fault":
            kind = args.get("kind")
            if kind not in FAULT_KINDS:
                raise SimControlError("bad_argument", f"fault kind must be one of {', '.join(FAULT_KINDS)}")
            self.fault = str(kind)
        elif command == "clear_faults":
            self.fault = "none"
        elif command != "status":
            raise SimControlError("unknown_command", f"the ID reader has no command {command!r}")
        return self.status()

    def status(self) -> dict[str, Any]:
        return {"card": self.card_name, "state": self.state, "fault": self.fault, "reads": self.reads}

    # -- the protocol -----------------------------------------------------------------------

    def _reply(self, frame: bytes) -> bytes:
        if self.fault == "silence":
            return b""
        if self.fault == "garbled":
            # Damage the byte before CHK: the frame still looks like one but fails its checksum.
            damaged = bytearray(frame)
            damaged[-2] ^= 0x5A
            return bytes(damaged)
        return frame

    def _answer(self, body: bytes) -> bytes:
        frame = parse_command(body)
        command = frame.command
        if command is None or frame.data:
            return build_reply(Sw3.COMMAND_ERROR)
        if self.fault == "sam_selftest":
            return build_reply(Sw3.SAM_SELFTEST_FAILED)
        if command in (Command.RESET, Command.SAM_STATUS):
            return build_reply(Sw3.OK)
        if command == Command.SAM_ID:
            return build_reply(Sw3.OK, SAM_ID)
        if command == Command.FIND_CARD:
            if self.state in ("present", "found", "selected"):
                self.state = "found"
                return build_reply(Sw3.FIND_OK, FIND_DATA)
            return build_reply(Sw3.NO_CARD)
        if command == Command.SELECT_CARD:
            if self.state in ("found", "selected", "read"):
                if self.state == "found":
                    self.state = "selected"
                return build_reply(Sw3.OK, SELECT_DATA)
            return build_reply(Sw3.SELECT_FAILED)
        return self._read(command)

    def _read(self, command: Command) -> bytes:
        # The appended address is read after the text, so a card already read still answers it.
        allowed = ("selected", "read") if command == Command.READ_APPENDED_ADDRESS else ("selected",)
        if self.state not in allowed or self.card is None:
            return build_reply(Sw3.READ_FAILED)
        if self.fault in _CARD_FAULTS:
            # The card must be found again after a failed read.
            self.state = "present"
            return build_reply(_CARD_FAULTS[self.fault])
        if command == Command.READ_APPENDED_ADDRESS:
            if not self.appended_address:
                return build_reply(Sw3.NO_CONTENT)
            return build_reply(Sw3.OK, encode_appended_address(self.appended_address))
        self._delay = self.read_delay_s
        text, photo = build_text(self.card), bytes(self.card.photo_wlt).ljust(1024, b"\x00")[:1024]
        data = len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big")
        fingerprint = b""
        if command == Command.READ_WITH_FINGERPRINT:
            # A card issued without fingerprints answers with a fingerprint length of 0.
            fingerprint = bytes(self.card.fingerprint)
            data += len(fingerprint).to_bytes(2, "big")
        self.state = "read"
        self.reads += 1
        return build_reply(Sw3.OK, data + text + photo + fingerprint)

