"""The SMS adapter interface for one-time codes, the demo adapter (a file) and the null adapter."""

from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Protocol


class SmsUnavailable(Exception):
    """No SMS gateway is configured, or it refused the message."""


class SmsSender(Protocol):
    """Sends one text to one phone. A gateway adapter should hand the message to a queue and return at
    once: the hall answers a challenge in the same time whether or not a message went out."""

    @property
    def available(self) -> bool: ...

    def send(self, phone: str, text: str, *, at: datetime, masked_id: str) -> None: ...


class NullSmsSender:
    """No gateway configured: challenges are refused ``sms_unavailable`` for everyone alike."""

    available = False

    def send(self, phone: str, text: str, *, at: datetime, masked_id: str) -> None:
        raise SmsUnavailable("no SMS gateway is configured")


class DemoSmsSender:
    """Appends ``<time> <masked id> <phone> <text>`` to a file the demo shows (owner-only); logs nothing."""

    available = True

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def send(self, phone: str, text: str, *, at: datetime, masked_id: str) -> None:
        line = f"{at.isoformat(timespec='seconds')} {masked_id} {phone} {text}\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
