"""Refusal: the one exception a use case raises when it will not do what was asked, with a stable code."""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """A request the hall refuses: ``code`` is the API's error code (docs/api.md), ``message`` English text.

    ``details`` and ``extra`` travel in the error body (``extra`` also at its top level, as ``ticket_id``
    of ``already_checked_in``). hall_server/api/errors.py gives each code its HTTP status;
    ``status_hint`` is for the few codes whose status depends on where they arise (``unknown_service``
    is 404 for the service a URL names, 422 for one named in a body).
    """

    def __init__(self, code: str, message: str, *, details: Any = None, extra: dict[str, Any] | None = None,
                 status_hint: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details
        self.extra = extra or {}
        self.status_hint = status_hint
