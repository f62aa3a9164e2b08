"""The service catalogue as the use cases need it: queue prefix, department, names and where it is handled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hall_server.domain.catalogue import Catalogue, Service, default_catalogue
from hall_server.usecases.refusal import Refusal

if TYPE_CHECKING:
    from hall_server.state.hall_state import HallState


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


def known_department(code: str) -> None:
    if code not in default_catalogue().departments:
        raise Refusal("unknown_department", f"no department {code!r}")


def offered_catalogue(hall: HallState) -> tuple[Catalogue, frozenset[str]]:
    """The catalogue with the administration's edits, and the codes of the services it switched off."""
    view = hall.overrides.view()
    return view.catalogue, view.disabled


def offered_service(hall: HallState, code: str) -> Service:
    """The service a URL names, as edited; Refusal ``unknown_service`` (404) also for one switched off."""
    catalogue, disabled = offered_catalogue(hall)
    found = catalogue.get(code)
    if found is None or found.code in disabled:
        raise Refusal("unknown_service", f"no service {code!r}", status_hint=404)
    return found


def offered_entry(hall: HallState, code: str) -> ServiceEntry | None:
    """The entry of a service with the administration's edits (a ticket says the edited name and where)."""
    found = hall.overrides.view().catalogue.get(code)
    if found is None:
        return None
    return ServiceEntry(code=found.code, department=found.department, queue=found.queue,
                        bookable=found.bookable, service=found)


def refuse_switched_off(hall: HallState, code: str) -> None:
    """A service the administration switched off takes no tickets or bookings: to a kiosk it is gone."""
    if code in hall.overrides.view().disabled:
        raise Refusal("unknown_service", f"no service {code!r}")


def department_names(lang: str) -> dict[str, str]:
    """Every department's name in ``lang``, by code (reports show names where the events hold codes)."""
    return {code: department.name(lang) for code, department in default_catalogue().departments.items()}
