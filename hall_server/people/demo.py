"""The demo people directory: the persons of hall_server/data/people/demo.toml."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from importlib import resources

from hall_server.people.adapter import Person


class DemoPeopleDirectory:
    """A fixed set of persons, looked up by ID number (upper-case X)."""

    def __init__(self, people: Iterable[Person]) -> None:
        self._by_id = {p.id_number.upper(): p for p in people}

    def find(self, id_number: str) -> Person | None:
        return self._by_id.get(id_number.strip().upper())

    def __len__(self) -> int:
        return len(self._by_id)


def demo_directory() -> DemoPeopleDirectory:
    """The packaged demo persons."""
    text = resources.files("hall_server.data.people").joinpath("demo.toml").read_text("utf-8")
    rows = tomllib.loads(text)["people"]
    return DemoPeopleDirectory(Person(str(r["id_number"]), str(r["name"]), str(r["phone"])) for r in rows)
