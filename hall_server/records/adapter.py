"""The records adapter interface: one query per kind, answering a localized table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

KINDS = (
    "social_insurance_payments",
    "medical_insurance_certificate",
    "entry_exit_records",
    "real_estate_records",
    "application_progress",
)


@dataclass(frozen=True)
class RecordQuery:
    kind: str
    id_number: str
    name: str
    start: date | None
    end: date | None
    lang: str
    today: date


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True)
class RecordTable:
    title: str
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, str]]


class RecordsUnavailable(Exception):
    """The system behind an adapter did not answer; the kiosk says so and the citizen may retry."""


class RecordsAdapter(Protocol):
    """Answers queries of the kinds it knows; a deployment plugs in the real department systems."""

    def kinds(self) -> Sequence[str]: ...

    def query(self, query: RecordQuery) -> RecordTable: ...
