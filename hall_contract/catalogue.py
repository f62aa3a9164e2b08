"""The service catalogue: ``GET /services`` and ``GET /services/{code}`` with its one-time guide."""

from __future__ import annotations

from hall_contract.base import Answer


class Department(Answer):
    code: str
    name: str


class Material(Answer):
    """One item of the one-time notification list (一次性告知)."""

    name: str
    copies: str = ""
    note: str = ""


class Guide(Answer):
    """Everything a citizen must know before coming, in one language."""

    materials: tuple[Material, ...] = ()
    steps: tuple[str, ...] = ()
    time_limit: str = ""
    fee: str = ""
    where: str = ""
    legal_basis: str = ""
    notes: tuple[str, ...] = ()


class Service(Answer):
    """A service as searched (no guide) or as asked for by code (with its guide)."""

    code: str
    name: str
    department: Department
    queue: str = ""
    bookable: bool = False
    pinyin_initials: str = ""
    guide: Guide | None = None


class Catalogue(Answer):
    """``GET /services``: the services found, best first, and every department."""

    services: tuple[Service, ...] = ()
    departments: tuple[Department, ...] = ()
