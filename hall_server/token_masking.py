"""A logging filter that masks bearer tokens wherever a log line could carry one (URLs, headers, bodies)."""

from __future__ import annotations

import logging
import re
from typing import Any

# ?token=… in a URL, "token": "…" in JSON, and an Authorization header's Bearer value.
_PATTERNS = (
    re.compile(r"(?i)(token=)[^&\s\"']+"),
    re.compile(r"(?i)(\"token\"\s*:\s*\")[^\"]*"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
)
MASK = "***"
# uvicorn logs request lines, with their query strings, on these; the hall's own loggers go with them.
LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "hall_server", "remote_assist")


def mask_tokens(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda match: match.group(1) + MASK, text)
    return text


def _masked(value: Any) -> Any:
    if value is None or isinstance(value, int | float):
        return value
    # Other objects (a WebSocket frame, bytes) are logged through str(): mask that text if it holds a token.
    text = value if isinstance(value, str) else str(value)
    masked = mask_tokens(text)
    return masked if masked != text or isinstance(value, str) else value


class TokenMaskingFilter(logging.Filter):
    """Rewrites a record's message and arguments with tokens masked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _masked(value) for key, value in record.args.items()}
        return True


def install_token_masking() -> None:
    """Put the filter on uvicorn's and the hall's loggers and on their handlers and the root's (once each).

    A logger's filter sees only what is logged on it, a handler's also what its children pass up: both,
    so that a module logger under ``hall_server`` is covered once its records reach a handler.
    """
    loggers = [logging.getLogger(name) for name in LOGGERS] + [logging.getLogger()]
    for target in [*loggers, *(handler for logger in loggers for handler in logger.handlers)]:
        if not any(isinstance(f, TokenMaskingFilter) for f in target.filters):
            target.addFilter(TokenMaskingFilter())
