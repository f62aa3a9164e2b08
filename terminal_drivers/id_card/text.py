"""The 256-byte text block of a card (UCS-2 LE, space padded), per card type, both directions.

The type flag at text bytes 248-249 picks the layout. Field sizes in bytes:

- resident card (flag blank): name 30, sex 2, nation 4, birth 16, address 70, ID number 36,
  authority 30, valid from 16, valid to 16 (a date or 长期), reserved 36.
- HK/Macau/Taiwan residence permit (``J``): as the resident card with nation reserved (4), then
  pass number 18, issue count 4, reserved 6, flag 2, reserved 6.
- foreigner's permanent residence card 2017 (``I``): English name 120, sex 2, card number 30
  (15 characters), nationality 6 (GB/T 2659 alpha-3), Chinese name 30, valid from 16, valid to
  16, birth 16, card version 4, authority code 8, flag 2, reserved 6.
- foreigner's permanent residence card 2023 (``Y``): Chinese name 30, sex 2, renewal count 4,
  birth 16, English name characters 1-35 (70), ID number 36, authority 30 (some vendor headers
  call it reserved; we read it when filled), valid from 16, valid to 16, English name
  characters 36-46 (22), nationality 6, flag 2, link to a former card's number 6.
"""

from __future__ import annotations

from datetime import date

from terminal_drivers.errors import CardReadError, ProtocolError
from terminal_drivers.id_card.models import CardType, IdCard
from terminal_drivers.id_card.nations import NATIONS

TEXT_LENGTH = 256
FLAG_OFFSET = 248
LONG_TERM = "长期"

SEXES = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
_SEX_CODES = {name: code for code, name in SEXES.items()}

Layout = tuple[tuple[str, int], ...]

RESIDENT: Layout = (
    ("name", 30), ("sex", 2), ("nation", 4), ("birth", 16), ("address", 70), ("id_number", 36),
    ("authority", 30), ("valid_from", 16), ("valid_to", 16), ("_reserved", 36),
)
HMT_RESIDENCE: Layout = (
    ("name", 30), ("sex", 2), ("_reserved0", 4), ("birth", 16), ("address", 70), ("id_number", 36),
    ("authority", 30), ("valid_from", 16), ("valid_to", 16), ("pass_number", 18),
    ("issue_count", 4), ("_reserved1", 6), ("_flag", 2), ("_reserved2", 6),
)
FOREIGN_2017: Layout = (
    ("english_name", 120), ("sex", 2), ("id_number", 30), ("nationality", 6), ("chinese_name", 30),
    ("valid_from", 16), ("valid_to", 16), ("birth", 16), ("card_version", 4), ("authority_code", 8),
    ("_flag", 2), ("_reserved", 6),
)
FOREIGN_2023: Layout = (
    ("chinese_name", 30), ("sex", 2), ("renewal_count", 4), ("birth", 16), ("english_name", 70),
    ("id_number", 36), ("authority", 30), ("valid_from", 16), ("valid_to", 16),
    ("english_name_2", 22), ("nationality", 6), ("_flag", 2), ("previous_number_link", 6),
)

LAYOUTS: dict[CardType, Layout] = {
    "resident": RESIDENT,
    "hmt_residence": HMT_RESIDENCE,
    "foreign_permanent_2017": FOREIGN_2017,
    "foreign_permanent_2023": FOREIGN_2023,
}
FLAGS: dict[CardType, str] = {
    "resident": " ",
    "hmt_residence": "J",
    "foreign_permanent_2017": "I",
    "foreign_permanent_2023": "Y",
}
_TYPES_BY_FLAG: dict[str, CardType] = {"": "resident", "I": "foreign_permanent_2017",
                                       "J": "hmt_residence", "Y": "foreign_permanent_2023"}


def _decode(raw: bytes) -> str:
    return raw.decode("utf-16-le", "replace").replace("\x00", "").strip()


def card_type_of(text: bytes) -> CardType:
    """The card type that the flag at bytes 248-249 names."""
    if len(text) != TEXT_LENGTH:
        raise ProtocolError(f"text block of {len(text)} bytes, expected 256", code="card_text_invalid")
    flag = _decode(text[FLAG_OFFSET : FLAG_OFFSET + 2])
    try:
        return _TYPES_BY_FLAG[flag]
    except KeyError:
        raise CardReadError(f"unknown card type flag {flag!r}", code="card_type_unsupported") from None


def split_fields(text: bytes, layout: Layout) -> dict[str, str]:
    fields: dict[str, str] = {}
    offset = 0
    for key, size in layout:
        fields[key] = _decode(text[offset : offset + size])
        offset += size
    return fields


def _raw_field(text: bytes, layout: Layout, name: str) -> bytes:
    offset = 0
    for key, size in layout:
        if key == name:
            return text[offset : offset + size]
        offset += size
    raise KeyError(name)


def _date(fields: dict[str, str], key: str) -> date:
    value = fields[key]
    try:
        if len(value) != 8 or not value.isdigit():
            raise ValueError(value)
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise ProtocolError(f"{key} is not a YYYYMMDD date", code="card_text_invalid") from None


def _valid_to(fields: dict[str, str]) -> date | None:
    return None if fields["valid_to"] == LONG_TERM else _date(fields, "valid_to")


def _sex(fields: dict[str, str]) -> str:
    try:
        return SEXES[fields["sex"]]
    except KeyError:
        raise ProtocolError("sex code outside GB/T 2261.1", code="card_text_invalid") from None


def _count(fields: dict[str, str], key: str) -> int | None:
    value = fields[key]
    if not value:
        return None
    if not value.isdigit():
        raise ProtocolError(f"{key} is not a number", code="card_text_invalid")
    return int(value)


def parse_text(text: bytes, photo_wlt: bytes | bytearray = b"") -> IdCard:
    """The card in a 256-byte text block; raises ProtocolError / CardReadError with codes."""
    card_type = card_type_of(text)
    f = split_fields(text, LAYOUTS[card_type])
    sex, birth = _sex(f), _date(f, "birth")
    valid_from, valid_to = _date(f, "valid_from"), _valid_to(f)
    if card_type == "resident":
        if f["nation"] not in NATIONS:
            raise ProtocolError("nation code outside GB/T 3304", code="card_text_invalid")
        return IdCard(
            card_type, f["name"], sex, birth, f["id_number"], valid_from, valid_to, photo_wlt,
            nation=NATIONS[f["nation"]], nation_code=f["nation"], address=f["address"],
            authority=f["authority"],
        )
    if card_type == "hmt_residence":
        return IdCard(
            card_type, f["name"], sex, birth, f["id_number"], valid_from, valid_to, photo_wlt,
            address=f["address"], authority=f["authority"], pass_number=f["pass_number"],
            issue_count=_count(f, "issue_count"),
        )
    if card_type == "foreign_permanent_2017":
        return IdCard(
            card_type, f["chinese_name"] or f["english_name"], sex, birth, f["id_number"],
            valid_from, valid_to, photo_wlt, chinese_name=f["chinese_name"],
            english_name=f["english_name"], nationality=f["nationality"],
            card_version=f["card_version"], authority_code=f["authority_code"],
        )
    # The 2023 card splits the English name (characters 1-35, then 36-46 near the end); join the
    # raw halves so a space falling on character 35 survives.
    halves = _raw_field(text, FOREIGN_2023, "english_name"), _raw_field(text, FOREIGN_2023, "english_name_2")
    english = _decode(b"".join(halves))
    return IdCard(
        card_type, f["chinese_name"] or english, sex, birth, f["id_number"], valid_from, valid_to,
        photo_wlt, chinese_name=f["chinese_name"], english_name=english, nationality=f["nationality"],
        authority=f["authority"], renewal_count=_count(f, "renewal_count"),
        previous_number_link=f["previous_number_link"],
    )


APPENDED_ADDRESS_LENGTH = 70


def decode_appended_address(data: bytes) -> str:
    """The 30 03 reply's address (UCS-2 LE, space padded; an odd trailing byte is ignored)."""
    return _decode(data[: len(data) - len(data) % 2])


def encode_appended_address(address: str) -> bytes:
    """The 70 bytes a card holds for an appended address (the simulator's side)."""
    return _encode(address, APPENDED_ADDRESS_LENGTH, "appended_address")


def _encode(value: str, size: int, key: str) -> bytes:
    raw = value.encode("utf-16-le")
    if len(raw) > size:
        raise ValueError(f"{key} needs {len(raw)} bytes, the field holds {size}")
    return raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)


def _date_text(value: date | None) -> str:
    return LONG_TERM if value is None else value.strftime("%Y%m%d")


def build_text(card: IdCard) -> bytes:
    """The 256-byte text block a chip holds for ``card`` (what the simulator sends)."""
    english_1, english_2 = card.english_name, ""
    if card.card_type == "foreign_permanent_2023" and len(card.english_name) > 35:
        english_1, english_2 = card.english_name[:35], card.english_name[35:]
    values = {
        "name": card.name,
        "chinese_name": card.chinese_name,
        "english_name": english_1,
        "english_name_2": english_2,
        "sex": _SEX_CODES.get(card.sex, card.sex),
        "nation": card.nation_code,
        "birth": card.birth.strftime("%Y%m%d"),
        "address": card.address,
        "id_number": card.id_number,
        "authority": card.authority,
        "valid_from": _date_text(card.valid_from),
        "valid_to": _date_text(card.valid_to),
        "pass_number": card.pass_number,
        "issue_count": "" if card.issue_count is None else f"{card.issue_count:02d}",
        "renewal_count": "" if card.renewal_count is None else f"{card.renewal_count:02d}",
        "nationality": card.nationality,
        "card_version": card.card_version,
        "authority_code": card.authority_code,
        "previous_number_link": card.previous_number_link,
        "_flag": FLAGS[card.card_type].strip(),
    }
    out = b"".join(_encode(values.get(key, ""), size, key) for key, size in LAYOUTS[card.card_type])
    assert len(out) == TEXT_LENGTH
    return out
