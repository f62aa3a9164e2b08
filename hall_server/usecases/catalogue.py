"""The service catalogue as the use cases need it: queue prefix, department, names and where it is handled."""

from __future__ import annotations

from dataclasses import dataclass

from hall_server.domain.catalogue import Service, default_catalogue
from hall_server.usecases.refusal import Refusal


@dataclass(frozen=True)
class ServiceEntry:
    code: str
    department: str
    queue: str
    bookable: bool
    service: Service

    def name(self, lang: str) -> str:
        return self.service.name(lang)

    def where(self, lang: str) -> str:
        return self.service.guide(lang).where


def service_entry(code: str) -> ServiceEntry | None:
    found = default_catalogue().get(code)
    if found is None:
        return None
    return ServiceEntry(
        code=found.code,
        department=found.department,
        queue=found.queue,
        bookable=found.bookable,
        service=found,
    )


def require_service(code: str) -> ServiceEntry:
    """The entry of a service named in a request; Refusal ``unknown_service`` when there is none."""
    entry = service_entry(code)
    if entry is None:
        raise Refusal("unknown_service", f"no service {code!r}")
    return entry


def service_or_refuse(code: str) -> Service:
    """The service a URL names; Refusal ``unknown_service`` (404: the named thing does not exist)."""
    found = default_catalogue().get(code)
    if found is None:
        raise Refusal("unknown_service", f"no service {code!r}", status_hint=404)
    return found


def known_department(code: str) -> None:
    if code not in default_catalogue().departments:
        raise Refusal("unknown_department", f"no department {code!r}")


def department_names(lang: str) -> dict[str, str]:
    """Every department's name in ``lang``, by code (reports show names where the events hold codes)."""
    return {code: department.name(lang) for code, department in default_catalogue().departments.items()}
