"""One citizen's visit: everything personal lives here, in memory only, and is wiped at the end."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from citizen_id.masking import mask_id_number, mask_name, mask_payload

IdentitySource = Literal["id_card", "qr", "typed"]


@dataclass
class Identity:
    """Who the citizen is, as the identify screen learned it."""

    name: str
    id_number: str
    source: IdentitySource
    # The reader's full card (terminal_drivers.id_card.models.IdCard) when read from a card.
    card: Any = None
    # What was scanned when the citizen showed a code (a booking QR or an electronic ID code);
    # name and ID number are then empty until the hall resolves the code.
    qr_payload: str | None = None

    def __repr__(self) -> str:
        scanned = f", qr_payload={mask_payload(self.qr_payload)!r}" if self.qr_payload else ""
        return (
            f"Identity(name={mask_name(self.name)!r}, id_number={mask_id_number(self.id_number)!r}, "
            f"source={self.source!r}{scanned})"
        )

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)


@dataclass(repr=False)
class Session:
    """A visit. Screens and flows keep personal data here and nowhere else.

    ``choices`` holds non-personal selections (service code, record kind, …); ``results`` holds
    what the hall returned (booking, ticket, records); ``photos`` holds raw bytes that are
    overwritten on wipe.
    """

    visit_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: float = field(default_factory=time.monotonic)
    identity: Identity | None = None
    booking: dict[str, Any] | None = None
    ticket: dict[str, Any] | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    photos: list[bytearray] = field(default_factory=list)
    # The hall's one-time-code challenge sent for this citizen (hall_contract.Challenge), and the
    # proof of presence that last opened their records (a code or e-ID proof; a card needs none kept).
    challenge: Any = None
    proof: Any = None
    choices: dict[str, Any] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    wiped: bool = False

    def __repr__(self) -> str:
        who = repr(self.identity) if self.identity else "None"
        return (
            f"Session(visit_id={self.visit_id[:8]!r}, identity={who}, booking={self.booking is not None}, "
            f"ticket={self.ticket is not None}, records={len(self.records)}, photos={len(self.photos)}, "
            f"challenge={self.challenge is not None}, proof={self.proof is not None}, "
            f"choices={sorted(self.choices)!r})"
        )

    def add_photo(self, data: bytes | bytearray) -> bytearray:
        photo = bytearray(data)
        self.photos.append(photo)
        return photo

    def is_empty(self) -> bool:
        return (
            self.identity is None
            and self.booking is None
            and self.ticket is None
            and not self.records
            and not self.photos
            and self.challenge is None
            and self.proof is None
            and not self.choices
            and not self.results
        )

    def forget_person(self) -> None:
        """Forget who the citizen is and all that came with it (their ID card was lifted); the
        visit itself goes on: its choices and the ticket (a number, nothing personal) stay.
        Bytes we own are overwritten before they are dropped."""
        for photo in self.photos:
            photo[:] = bytes(len(photo))
        if self.identity is not None and self.identity.card is not None:
            for biometric in ("photo_wlt", "fingerprint"):
                held = getattr(self.identity.card, biometric, None)
                if isinstance(held, bytearray):
                    held[:] = bytes(len(held))
        self.photos.clear()
        self.identity = None
        self.booking = None
        self.records.clear()
        self.results.clear()
        self.challenge = None
        self.proof = None

    def wipe(self) -> None:
        """Forget everything personal; bytes we own are overwritten before they are dropped."""
        self.forget_person()
        self.ticket = None
        self.choices.clear()
        self.wiped = True
