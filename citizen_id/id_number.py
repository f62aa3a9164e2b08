"""Citizen ID numbers (GB 11643-1999): validation with a reason, and valid numbers for demo data.

One implementation for the card reader, the kiosk's typed numbers and the hall server.

`parse_id_number(text, today=None) -> IdNumber` (raises `IdNumberError`, code "invalid_id_number",
detail one of "length", "characters", "birth_date", "check_digit"); `id_number_problem(text,
today=None) -> str | None` (the detail, or None when valid); `is_valid(text) -> bool`;
`check_character(first17) -> str`;
`make_id_number(region="110101", birth=date(1990, 3, 7), sequence=447) -> str`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
EARLIEST_BIRTH_YEAR = 1900

IdNumberDetail = Literal["length", "characters", "birth_date", "check_digit"]
Sex = Literal["male", "female"]


class IdNumberError(ValueError):
    """An ID number that fails GB 11643; `detail` says which part is wrong."""

    code = "invalid_id_number"

    def __init__(self, detail: IdNumberDetail) -> None:
        super().__init__(f"invalid_id_number: {detail}")
        self.detail: IdNumberDetail = detail


@dataclass(frozen=True)
class IdNumber:
    """A valid 18-character ID number and what it encodes."""

    value: str
    region_code: str
    birth: date
    sequence: int
    sex: Sex

    def __repr__(self) -> str:
        # The full number is personal data: a repr lands in logs and tracebacks.
        return f"IdNumber({self.value[:4]}{'*' * 10}{self.value[-4:]})"


def check_character(first17: str) -> str:
    """The check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_character needs exactly 17 ASCII digits")
    total = sum(int(ch) * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def parse_id_number(text: str, today: date | None = None) -> IdNumber:
    """Validate `text` and return its parts; a lowercase final x is read as X (citizens type it so)."""
    if not isinstance(text, str):
        raise IdNumberError("characters")
    if len(text) != 18:
        raise IdNumberError("length")
    value = text[:17] + text[17].upper()
    body, last = value[:17], value[17]
    if not (body.isascii() and body.isdigit()) or last not in "0123456789X":
        raise IdNumberError("characters")
    try:
        birth = date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError as exc:
        raise IdNumberError("birth_date") from exc
    if birth.year < EARLIEST_BIRTH_YEAR or birth > (today or date.today()):
        raise IdNumberError("birth_date")
    if check_character(body) != last:
        raise IdNumberError("check_digit")
    return IdNumber(
        value=value,
        region_code=body[:6],
        birth=birth,
        sequence=int(body[14:17]),
        sex="male" if int(body[16]) % 2 else "female",
    )


def id_number_problem(text: str, today: date | None = None) -> IdNumberDetail | None:
    """The reason `text` is not a valid ID number, or None when it is one."""
    try:
        parse_id_number(text, today)
    except IdNumberError as exc:
        return exc.detail
    return None


def is_valid(text: str, today: date | None = None) -> bool:
    """True for a valid ID number (the kiosk's number pad asks only this)."""
    return id_number_problem(text, today) is None


def make_id_number(region: str = "110101", birth: date = date(1990, 3, 7), sequence: int = 447) -> str:
    """A valid ID number; `sequence` (1..999) is the three-digit order code, odd for a man."""
    if len(region) != 6 or not region.isdigit():
        raise ValueError("region must be six digits")
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be 0..999")
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + check_character(body)
