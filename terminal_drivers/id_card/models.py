"""What a read of an identity card gives: ``IdCard`` (personal fields masked in repr) and watch events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from citizen_id.masking import mask_id_number, mask_name

CardType = Literal["resident", "foreign_permanent_2017", "hmt_residence", "foreign_permanent_2023"]
CARD_TYPES: tuple[CardType, ...] = (
    "resident",
    "foreign_permanent_2017",
    "hmt_residence",
    "foreign_permanent_2023",
)


@dataclass(frozen=True, repr=False)
class IdCard:
    """One card's machine-readable data.

    ``name`` is the Chinese name, or the English name for a foreigner's card that carries no
    Chinese name; ``valid_to`` None means 长期 (no expiry). Fields a card type does not carry are
    empty strings / None. ``photo_wlt`` is the raw 1024-byte WLT image (decoding needs a licensed
    library, so it is kept as it is); ``fingerprint`` the raw templates when read with 30 10.
    """

    card_type: CardType
    name: str
    sex: str  # "男" / "女" / "未知" / "未说明" (GB/T 2261.1 codes 1, 2, 0, 9)
    birth: date
    id_number: str
    valid_from: date
    valid_to: date | None
    # Biometric bytes come from the reader as bytearrays, so whoever holds the card (the kiosk's
    # visit) can overwrite them when it is done; immutable bytes could only be dropped.
    photo_wlt: bytes | bytearray = field(default=b"")
    nation: str = ""  # resident card only: 汉, 蒙古 … (GB/T 3304)
    nation_code: str = ""
    address: str = ""
    authority: str = ""  # 签发机关; the foreigner's 2017 card has only a 4-digit authority_code
    english_name: str = ""
    chinese_name: str = ""  # foreigners' cards: the Chinese name as printed (may be empty)
    nationality: str = ""  # foreigners' cards: GB/T 2659 (ISO 3166-1 alpha-3) code, e.g. "CAN"
    card_version: str = ""  # foreigner 2017
    authority_code: str = ""  # foreigner 2017
    pass_number: str = ""  # HK/Macau/Taiwan residence permit: 通行证号码
    issue_count: int | None = None  # HK/Macau/Taiwan residence permit: 签发次数
    renewal_count: int | None = None  # foreigner 2023: 换证次数
    previous_number_link: str = ""  # foreigner 2023: link to the number of a former card
    appended_address: str = ""  # 30 03: address changes written after issue
    # Left out of ==: the same card read with or without 30 10 is the same card.
    fingerprint: bytes | bytearray = field(default=b"", compare=False)  # 30 10: 1024 bytes, or b"" if none

    def __repr__(self) -> str:
        return (
            f"IdCard(card_type={self.card_type!r}, name={mask_name(self.name)!r}, "
            f"id_number={mask_id_number(self.id_number)!r}, valid_to={self.valid_to!r})"
        )

    __str__ = __repr__

    def masked(self) -> dict[str, str]:
        """A log- and screen-safe summary for technicians."""
        return {
            "card_type": self.card_type,
            "name": mask_name(self.name),
            "id_number": mask_id_number(self.id_number),
            "valid_to": self.valid_to.isoformat() if self.valid_to else "长期",
        }

    def is_expired(self, today: date) -> bool:
        return self.valid_to is not None and today > self.valid_to


@dataclass(frozen=True)
class CardPlaced:
    card: IdCard


@dataclass(frozen=True)
class CardRemoved:
    pass


CardEvent = CardPlaced | CardRemoved
