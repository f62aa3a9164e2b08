"""The hall's addresses a kiosk may use (nodes, or proxies before them), the one that answered last first."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

import requests

log = logging.getLogger(__name__)

R = TypeVar("R")


class HallAddresses:
    """Base URLs of one hall, in the order the configuration gives; ``current`` is the one in use."""

    def __init__(self, urls: str | Sequence[str]) -> None:
        listed = [urls] if isinstance(urls, str) else list(urls)
        if not listed:
            raise ValueError("no hall URL")
        for url in listed:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"hall URL must start with http:// or https://, got {url!r}")
        self.urls = [url.rstrip("/") for url in listed]
        self._current = 0

    @property
    def current(self) -> str:
        return self.urls[self._current]

    def send(self, attempt: Callable[[str], R]) -> R:
        """``attempt(base_url)`` through the current address, then through the next ones while no
        connection can be made; the address that answered stays current for the next requests.

        Only a failed connection moves on: an answer, even an error, came from the hall (every node
        would say the same), and a request that was sent may have been taken (the caller's retry, with
        its idempotency key, is the one to repeat it). An untrusted certificate is not passed over.
        """
        count = len(self.urls)
        failure: requests.ConnectionError | None = None
        for step in range(count):
            at = (self._current + step) % count
            try:
                result = attempt(self.urls[at])
            except requests.exceptions.SSLError:
                raise
            except requests.ConnectionError as exc:
                if count > 1:
                    log.info("hall %s: no connection (%s)", self.urls[at], type(exc).__name__)
                failure = exc
                continue
            if at != self._current:
                log.warning("hall %s not reachable: using %s from now on", self.current, self.urls[at])
                self._current = at
            return result
        assert failure is not None
        raise failure
