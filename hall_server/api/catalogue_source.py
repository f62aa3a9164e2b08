"""The service catalogue as the API needs it: queue prefix, department, names and where it is handled."""

from __future__ import annotations

from dataclasses import dataclass

from hall_server.domain.catalogue import Service, default_catalogue


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
