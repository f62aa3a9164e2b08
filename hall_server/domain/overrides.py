"""The administration's edits laid over what the package ships: a service's texts, a window's plan.

An override body is what the management web stored (store/overrides.py), already checked by the route
that took it; laying it over is forgiving all the same (a field it does not know is left as shipped), so
that a body stored by an older or newer version never keeps the hall from starting.

    services_with(catalogue, overrides) -> Catalogue     the catalogue with edited names and guide texts
    window_with(window, override) -> Window               a window with its edited queues, names, open state
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from hall_server.domain.catalogue import LANGUAGES, Catalogue, Service, ServiceText, _pinyin
from hall_server.domain.windows import Window

TEXT_FIELDS = ("name", "where", "time_limit", "fee", "legal_basis")
LIST_FIELDS = ("steps", "notes")


def _text_with(text: ServiceText, edits: Mapping[str, Any]) -> ServiceText:
    guide_edits: dict[str, Any] = {}
    for field in TEXT_FIELDS[1:]:
        if isinstance(edits.get(field), str):
            guide_edits[field] = edits[field]
    for field in LIST_FIELDS:
        value = edits.get(field)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            guide_edits[field] = tuple(value)
    name = edits.get("name")
    return ServiceText(name if isinstance(name, str) else text.name, text.aliases,
                       text.guide.model_copy(update=guide_edits))


def service_with(service: Service, override: Mapping[str, Any]) -> Service:
    texts = override.get("texts")
    if not isinstance(texts, dict):
        return service
    edited = {lang: _text_with(service.texts[lang], texts[lang]) if isinstance(texts.get(lang), dict)
              else service.texts[lang] for lang in LANGUAGES}
    full, initials = _pinyin(edited["zh-Hans"].name)
    return replace(service, texts=MappingProxyType(edited), pinyin=full, pinyin_initials=initials.upper())


def services_with(catalogue: Catalogue, overrides: Mapping[str, Mapping[str, Any]]) -> Catalogue:
    if not overrides:
        return catalogue
    services = [service_with(s, overrides[s.code]) if s.code in overrides else s for s in catalogue.services]
    return Catalogue(catalogue.departments.values(), services)


def disabled_services(overrides: Mapping[str, Mapping[str, Any]]) -> frozenset[str]:
    return frozenset(code for code, body in overrides.items() if body.get("enabled") is False)


def window_with(window: Window, override: Mapping[str, Any]) -> Window:
    queues = override.get("queues")
    names = override.get("names")
    is_open = override.get("open")
    return replace(
        window,
        queues=tuple(queues) if isinstance(queues, list) and queues else window.queues,
        names=MappingProxyType({lang: str(names.get(lang, window.name(lang))) for lang in LANGUAGES})
        if isinstance(names, dict) else window.names,
        open=is_open if isinstance(is_open, bool) else window.open,
    )


def window_key(site: str, number: str) -> str:
    return f"{site}/{number}"
