"""The people directory interface: the person on file for an ID number, with the phone for codes."""

from __future__ import annotations

import hmac
import unicodedata
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Person:
    id_number: str
    name: str
    phone: str


class PeopleDirectory(Protocol):
    """Answers who is on file; a deployment plugs in the population or social-security register."""

    def find(self, id_number: str) -> Person | None: ...


def normal_name(name: str) -> bytes:
    """A name as compared: NFKC, spaces and middle dots unified, Latin letters case-folded."""
    text = unicodedata.normalize("NFKC", name).replace("・", "·").replace("•", "·")
    return " ".join(text.split()).casefold().encode("utf-8")


def same_name(given: str, on_file: str) -> bool:
    """Whether ``given`` names the person ``on_file``, in a time that does not depend on where they differ."""
    return hmac.compare_digest(normal_name(given), normal_name(on_file))
