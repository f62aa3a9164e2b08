"""The service catalogue: departments, services with their one-time-notification guides, and search.

    default_catalogue() -> Catalogue            the packaged hall_server/data/catalogue/*.toml, validated
    catalogue.get(code) -> Service | None;  catalogue.search(q, lang="zh-Hans", department=None)
    service.name(lang), service.guide(lang) -> Guide, service.pinyin_initials ("SHBXCBJFJLCX")
Loading a bad file raises CatalogueError (code "catalogue_invalid", `.path`). One file per
department: code, queue, name and where in zh-Hans/zh-Hant/en, then [[services]] with a table per
language (name, aliases, materials {name, copies, note}, steps, time_limit, fee, where, legal_basis,
notes). zh-Hant text is stored, never converted at run time.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from pypinyin import Style, lazy_pinyin

# One Guide: the catalogue builds the very models the hall answers and the kiosk reads.
from hall_contract.catalogue import Guide as Guide
from hall_contract.catalogue import Material as Material

LANGUAGES = ("zh-Hans", "zh-Hant", "en")
_SERVICE_CODE = re.compile(r"[A-Z]{2}-\d{3}")
_DEPARTMENT_CODE = re.compile(r"[A-Z]{2,8}")
_QUEUE = re.compile(r"[A-Z]")
_TEXT_FIELDS = ("name", "time_limit", "fee", "where", "legal_basis")
_LIST_FIELDS = ("aliases", "steps", "notes")
_SERVICE_LANG_FIELDS = {*_TEXT_FIELDS, *_LIST_FIELDS, "materials"}


class CatalogueError(ValueError):
    """A catalogue file that cannot be used."""

    code = "catalogue_invalid"

    def __init__(self, message: str, path: str) -> None:
        super().__init__(f"catalogue_invalid: {message} ({path})")
        self.message = message
        self.path = path


@dataclass(frozen=True)
class ServiceText:
    name: str
    aliases: tuple[str, ...]
    guide: Guide


@dataclass(frozen=True)
class Department:
    code: str
    queue: str
    names: Mapping[str, str]
    where: Mapping[str, str]

    def name(self, lang: str = "zh-Hans") -> str:
        return self.names.get(lang, self.names["zh-Hans"])


@dataclass(frozen=True)
class Service:
    code: str
    department: str
    queue: str
    bookable: bool
    texts: Mapping[str, ServiceText]
    pinyin: str
    pinyin_initials: str

    def text(self, lang: str = "zh-Hans") -> ServiceText:
        return self.texts.get(lang, self.texts["zh-Hans"])

    def name(self, lang: str = "zh-Hans") -> str:
        return self.text(lang).name

    def guide(self, lang: str = "zh-Hans") -> Guide:
        return self.text(lang).guide


def _pinyin(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of the Chinese characters in `text`, lowercase, no separators."""
    hanzi = "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")
    full = "".join(lazy_pinyin(hanzi))
    initials = "".join(lazy_pinyin(hanzi, style=Style.FIRST_LETTER))
    return full.lower(), initials.lower()


@dataclass(frozen=True)
class _SearchKeys:
    service: Service
    code: str
    texts: tuple[str, ...]  # names and aliases in every language, casefolded
    pinyins: tuple[tuple[str, str], ...]
    department_names: tuple[str, ...]


class Catalogue:
    """Departments and services, looked up by code and searched by name, code and pinyin."""

    def __init__(self, departments: Iterable[Department], services: Iterable[Service]) -> None:
        self.departments: Mapping[str, Department] = MappingProxyType({d.code: d for d in departments})
        self.services: tuple[Service, ...] = tuple(sorted(services, key=lambda s: s.code))
        self._by_code = {s.code: s for s in self.services}
        self._keys = [self._keys_of(s) for s in self.services]

    def _keys_of(self, service: Service) -> _SearchKeys:
        texts = [t.name for t in service.texts.values()]
        for t in service.texts.values():
            texts.extend(t.aliases)
        zh = service.text("zh-Hans")
        pinyins = [_pinyin(zh.name), *(_pinyin(alias) for alias in zh.aliases)]
        department = self.departments[service.department]
        return _SearchKeys(
            service,
            service.code.casefold(),
            tuple(t.casefold() for t in texts),
            tuple(pinyins),
            tuple(n.casefold() for n in department.names.values()),
        )

    def get(self, code: str) -> Service | None:
        return self._by_code.get(code.upper() if isinstance(code, str) else code)

    def search(self, q: str = "", lang: str = "zh-Hans", department: str | None = None) -> list[Service]:
        """Services matching `q`, best first: exact code, code prefix, exact name, pinyin initials
        prefix, name substring, full pinyin prefix and substring, initials substring, department.
        Case-insensitive; spaces and apostrophes in a pinyin query are ignored. Code matches tie by
        code, the others by the name in `lang`."""
        query = q.strip().casefold()
        letters = re.sub(r"[\s']", "", query)
        ranked: list[tuple[int, str, str, Service]] = []
        for keys in self._keys:
            service = keys.service
            if department is not None and service.department != department:
                continue
            rank = self._rank(keys, query, letters) if query else 0
            if rank is not None:
                tie = service.code if rank <= 1 else service.name(lang).casefold()
                ranked.append((rank, tie, service.code, service))
        ranked.sort(key=lambda row: row[:3])
        return [row[3] for row in ranked]

    @staticmethod
    def _rank(keys: _SearchKeys, query: str, letters: str) -> int | None:
        if query == keys.code:
            return 0
        if keys.code.startswith(query):
            return 1
        if query in keys.texts:
            return 2
        pinyin_query = letters.isascii() and letters.isalpha()
        if pinyin_query and any(initials.startswith(letters) for _, initials in keys.pinyins):
            return 3
        if any(query in text for text in keys.texts):
            return 4
        if pinyin_query:
            if any(full.startswith(letters) for full, _ in keys.pinyins):
                return 5
            if any(letters in full for full, _ in keys.pinyins):
                return 6
            if len(letters) >= 2 and any(letters in initials for _, initials in keys.pinyins):
                return 7
        if any(query in name for name in keys.department_names):
            return 8
        return None


def _names(value: Any, what: str, path: str) -> Mapping[str, str]:
    if (
        not isinstance(value, dict)
        or set(value) != set(LANGUAGES)
        or any(not isinstance(value[lang], str) or not value[lang].strip() for lang in LANGUAGES)
    ):
        raise CatalogueError(f"{what} needs exactly zh-Hans, zh-Hant and en", path)
    return MappingProxyType(dict(value))


def _strings(value: Any, what: str, path: str, *, non_empty: bool) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CatalogueError(f"{what} must be a list of non-empty strings", path)
    if non_empty and not value:
        raise CatalogueError(f"{what} must not be empty", path)
    return tuple(value)


def _service_text(value: Any, what: str, path: str) -> ServiceText:
    if not isinstance(value, dict):
        raise CatalogueError(f"{what} is missing", path)
    fields = set(value)
    if fields != _SERVICE_LANG_FIELDS:
        problem = sorted(_SERVICE_LANG_FIELDS - fields) or sorted(fields - _SERVICE_LANG_FIELDS)
        raise CatalogueError(f"{what}: missing or unknown field {problem[0]!r}", path)
    for name in _TEXT_FIELDS:
        if not isinstance(value[name], str) or not value[name].strip():
            raise CatalogueError(f"{what}.{name} must be non-empty text", path)
    materials = value["materials"]
    if not isinstance(materials, list) or not materials:
        raise CatalogueError(f"{what}.materials must list at least one item", path)
    items = []
    for item in materials:
        if (
            not isinstance(item, dict)
            or set(item) != {"name", "copies", "note"}
            or not all(isinstance(item[k], str) for k in item)
            or not item["name"].strip()
            or not item["copies"].strip()
        ):
            raise CatalogueError(f"{what}.materials items need name, copies and note", path)
        items.append(Material(name=item["name"], copies=item["copies"], note=item["note"]))
    guide = Guide(
        materials=tuple(items),
        steps=_strings(value["steps"], f"{what}.steps", path, non_empty=True),
        time_limit=value["time_limit"],
        fee=value["fee"],
        where=value["where"],
        legal_basis=value["legal_basis"],
        notes=_strings(value["notes"], f"{what}.notes", path, non_empty=False),
    )
    return ServiceText(
        value["name"], _strings(value["aliases"], f"{what}.aliases", path, non_empty=False), guide
    )


def parse_department_text(text: str, path: str) -> tuple[Department, list[Service]]:
    """One department file: the department and its services, validated."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(str(exc), path) from exc
    unknown = set(data) - {"code", "queue", "name", "where", "services"}
    if unknown:
        raise CatalogueError(f"unknown field {sorted(unknown)[0]!r}", path)
    code, queue = data.get("code"), data.get("queue")
    if not isinstance(code, str) or not _DEPARTMENT_CODE.fullmatch(code):
        raise CatalogueError("department code must be 2-8 capital letters", path)
    if not isinstance(queue, str) or not _QUEUE.fullmatch(queue):
        raise CatalogueError("queue must be one capital letter", path)
    department = Department(
        code, queue, _names(data.get("name"), "name", path), _names(data.get("where"), "where", path)
    )
    entries = data.get("services")
    if not isinstance(entries, list) or not entries:
        raise CatalogueError("a department needs at least one [[services]]", path)
    services = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise CatalogueError("each [[services]] must be a table", path)
        service_code = entry.get("code")
        if not isinstance(service_code, str) or not _SERVICE_CODE.fullmatch(service_code):
            raise CatalogueError(f"service code {service_code!r} is not like SB-001", path)
        unknown = set(entry) - {"code", "bookable", "queue", *LANGUAGES}
        if unknown:
            raise CatalogueError(f"{service_code}: unknown field {sorted(unknown)[0]!r}", path)
        bookable = entry.get("bookable")
        if not isinstance(bookable, bool):
            raise CatalogueError(f"{service_code}: bookable must be true or false", path)
        service_queue = entry.get("queue", queue)
        if not isinstance(service_queue, str) or not _QUEUE.fullmatch(service_queue):
            raise CatalogueError(f"{service_code}: queue must be one capital letter", path)
        texts = {lang: _service_text(entry.get(lang), f"{service_code}.{lang}", path) for lang in LANGUAGES}
        full, initials = _pinyin(texts["zh-Hans"].name)
        services.append(
            Service(
                service_code, code, service_queue, bookable, MappingProxyType(texts), full, initials.upper()
            )
        )
    return department, services


def build_catalogue(files: Iterable[tuple[str, str]]) -> Catalogue:
    """A catalogue from (text, path) pairs, one per department; codes must be unique."""
    departments: list[Department] = []
    services: list[Service] = []
    for text, path in files:
        department, found = parse_department_text(text, path)
        if any(d.code == department.code for d in departments):
            raise CatalogueError(f"department {department.code} defined twice", path)
        seen = {s.code for s in services}
        for service in found:
            if service.code in seen:
                raise CatalogueError(f"service {service.code} defined twice", path)
            seen.add(service.code)
        departments.append(department)
        services.extend(found)
    return Catalogue(departments, services)


@cache
def default_catalogue() -> Catalogue:
    """The packaged demo catalogue (validated once per process)."""
    folder = resources.files("hall_server.data.catalogue")
    files = sorted((item for item in folder.iterdir() if item.name.endswith(".toml")), key=lambda i: i.name)
    return build_catalogue(
        (item.read_text("utf-8"), f"hall_server/data/catalogue/{item.name}") for item in files
    )
