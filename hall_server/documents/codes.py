"""Verification codes: 100 random bits as 20 Crockford base32 characters, shown in groups of four.

A code is printed on the certificate and typed or scanned back on a phone, so it reads back forgivingly:
case, spaces and hyphens do not matter and the look-alikes O, I and L read as 0, 1 and 1.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 20
GROUP = 4
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_VALID = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")


class MalformedCode(ValueError):
    """Text that cannot be a verification code (wrong length or characters)."""


def new_code() -> str:
    """A fresh code in its stored form (20 characters, no separators)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(text: str) -> str:
    """The stored form of a code as a person or scanner gives it back; MalformedCode if it cannot be one."""
    if len(text) > 64:
        raise MalformedCode("too long to be a verification code")
    compact = re.sub(r"[\s-]", "", text).upper().translate(_LOOK_ALIKES)
    if not _VALID.match(compact):
        raise MalformedCode(f"a verification code is {LENGTH} letters and digits")
    return compact


def grouped(code: str) -> str:
    """``K7QD-2M9X-AB3F-QQ7Z-9XYZ``: the printed form."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))
