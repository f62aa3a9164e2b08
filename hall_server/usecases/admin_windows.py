"""Administration of a site's windows: the queues each serves (in the order call-next takes them), its
name and whether it is open; stored as overrides over the site rules."""

from __future__ import annotations

from typing import Any

from hall_server.domain.overrides import window_key
from hall_server.domain.windows import LANGUAGES
from hall_server.state.hall_state import HallState
from hall_server.store import overrides
from hall_server.usecases.admin_change import actor_of, audited
from hall_server.usecases.caller import Caller
from hall_server.usecases.counters import site_queues
from hall_server.usecases.refusal import Refusal
from hall_server.usecases.sites import known_site
from hall_server.usecases.windows import plan_window


def windows_listing(hall: HallState, site: str) -> dict[str, Any]:
    """The site's windows as in force, each with its shipped queues beside, and the queues it may serve."""
    profile = known_site(site)
    view = hall.overrides.view()
    answer = []
    for plan in profile.windows:
        window = view.window(site, plan)
        answer.append({"number": window.number, "area": window.area("zh-Hans"),
                       "names": {lang: window.name(lang) for lang in LANGUAGES},
                       "queues": list(window.queues),
                       "open": window.open, "shipped_queues": list(plan.queues),
                       "edited": window_key(site, window.number) in view.windows})
    return {"site": site, "queues": sorted(site_queues(site)), "windows": answer}


def edit_window(hall: HallState, caller: Caller, site: str, number: str, queues: list[str] | None,
                names: dict[str, str] | None, is_open: bool | None) -> dict[str, Any]:
    """Lay an edit over one window; Refusal ``unknown_site``, ``unknown_window``, ``unknown_queue`` (a queue
    the site does not run), ``duplicate_queue``, ``empty_change``."""
    plan_window(site, number)
    if queues is None and names is None and is_open is None:
        raise Refusal("empty_change", "name what to change: queues, names or open")
    if queues is not None:
        unknown = sorted(set(queues) - site_queues(site))
        if unknown:
            raise Refusal("unknown_queue", f"{site} runs no queue {unknown[0]!r}")
        if len(set(queues)) != len(queues):
            raise Refusal("duplicate_queue", "a queue is named twice")
    key = window_key(site, number)

    def change(conn: Any) -> tuple[None, dict[str, Any]]:
        body = overrides.current(conn, "window").get(key, {})
        detail: dict[str, Any] = {}
        for field, value in (("queues", queues), ("names", names), ("open", is_open)):
            if value is not None:
                body[field] = value
                detail[field] = value
        overrides.put(conn, "window", key, body, hall.now(), actor_of(caller))
        return None, detail

    audited(hall, caller, "windows", "edit", key, change)
    return _one(hall, site, number)


def reset_window(hall: HallState, caller: Caller, site: str, number: str) -> dict[str, Any]:
    """Withdraw every edit of the window: as the site rules ship it."""
    plan_window(site, number)
    key = window_key(site, number)

    def change(conn: Any) -> tuple[None, dict[str, Any]]:
        overrides.put(conn, "window", key, None, hall.now(), actor_of(caller))
        return None, {}

    audited(hall, caller, "windows", "reset", key, change)
    return _one(hall, site, number)


def _one(hall: HallState, site: str, number: str) -> dict[str, Any]:
    found = next(w for w in windows_listing(hall, site)["windows"] if w["number"] == number)
    return dict(found)
